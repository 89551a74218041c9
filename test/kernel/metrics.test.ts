// The metrics endpoint during a real run: what a Prometheus scrape reads equals what the generator made.
import test from 'ava';
import {setTimeout as sleep} from 'node:timers/promises';
import {tempDir} from '../helpers/temp.js';
// @ts-expect-error: the parser ships no types
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import {jsonLines, startCli} from '../helpers/cli.js';
import {kernelSkipReason} from '../helpers/kernel.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

kernelTest('run --metrics-port: a scrape during the hold counts the 23 connections on both sides', async (t) => {
  const port = 19_123;
  const run = startCli(['run', '--connections', '23', '--headless', '--hold', '4', '--metrics-port', String(port), '--out', tempDir(t, 'metrics')]);
  let out = '';
  run.child.stdout!.on('data', (d) => (out += d));
  // wait for a sample in which the kernel has printed all 23, then scrape
  for (let i = 0; i < 300 && !/"kernel":\{"established":\{"client":23,"server":23\}/.test(out); i++) await sleep(100);
  const prom = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const om = await fetch(`http://127.0.0.1:${port}/metrics`, {headers: {accept: 'application/openmetrics-text; version=1.0.0'}});
  const r = await run.done;
  t.is(r.code, 0, r.stderr);
  const families = parsePrometheusTextFormat(prom) as Array<{name: string; metrics: Array<{labels: Record<string, string>; value: string}>}>;
  const established = families.find((f) => f.name === 'tcptrace_established_connections_total')!.metrics;
  const side = (s: string) => established.filter((m) => m.labels.side === s).reduce((n, m) => n + Number(m.value), 0);
  t.is(side('client'), 23);
  t.is(side('server'), 23);
  t.is(families.find((f) => f.name === 'tcptrace_generator_connections_total')!.metrics[0]!.value, '23');
  t.regex(om.headers.get('content-type') ?? '', /application\/openmetrics-text/);
  t.true((await om.text()).endsWith('# EOF\n'));
  t.is(jsonLines(r.stdout).at(-1)!.connections.established, 23);
});
