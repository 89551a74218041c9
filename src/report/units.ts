// Numbers in human units, shared by the report and the dashboard: "20 000", "7 656 B", "153 MB", "4 µs".
import prettyBytes from 'pretty-bytes';

const grouping = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});

// A whole count with a space between thousands: "20 000".
export function countText(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return grouping.format(Math.round(n)).replace(/,/g, ' ');
}

const SI = ['', ' k', ' M', ' G', ' T', ' P', ' E'];

// A count that stays short: exact below 100 000, else three significant digits and an SI prefix ("2.47 M").
export function compactCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  if (Math.abs(n) < 100_000) return countText(n);
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < SI.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${SI[i]}`;
}

// Bytes: exact below 100 000 B ("7 656 B"), else decimal units with three significant digits ("153 MB", 1 MB = 10^6 B).
export function bytesText(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  if (Math.abs(n) < 100_000) return `${countText(n)} B`;
  return prettyBytes(n);
}

// A duration from ns with one decimal: "999 ns", "16.4 µs", "2.5 ms".
export function nsText(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return '-';
  if (ns < 1000) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(1)} ms`;
  return `${(ns / 1e9).toFixed(1)} s`;
}

// A log2 bucket's bound from ns, in whole units (cut, not rounded): 4096 -> "4 µs", 33554432 -> "33 ms".
export function bucketText(ns: number): string {
  if (ns < 1000) return `${Math.floor(ns)} ns`;
  if (ns < 1e6) return `${Math.floor(ns / 1e3)} µs`;
  if (ns < 1e9) return `${Math.floor(ns / 1e6)} ms`;
  return `${Math.floor(ns / 1e9)} s`;
}

// A share as a whole percentage: "75%"; "<1%" for a share above zero that rounds to 0.
export function percentText(share: number): string {
  if (!Number.isFinite(share)) return '-';
  if (share > 0 && share < 0.005) return '<1%';
  return `${Math.round(share * 100)}%`;
}
