// trace --metrics-port: a Prometheus scrape over loopback during the trace counts the connections a python3 peer
// made in a namespace the test made, exactly; the port is closed once trace has ended.
import test from 'ava';
import {spawn} from 'node:child_process';
import {connect} from 'node:net';
import {setTimeout as sleep} from 'node:timers/promises';
// @ts-expect-error: the parser ships no types
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import {jsonLines} from '../helpers/cli.js';
import {traceInNetns} from '../helpers/trace-netns.js';
import {journals, kernelSkipReason, toolProcesses} from '../helpers/kernel.js';
import {HOLD, PYTHON, tcpInSegs} from '../helpers/python-peers.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

type Family = {name: string; metrics: Array<{labels?: Record<string, string>; value?: string; count?: string; buckets?: Record<string, string>}>};

// Whether something listens on 127.0.0.1:port (a connect that is refused: nothing).
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

kernelTest('trace --metrics-port: a scrape during the trace counts a python3 peer\'s 23 connections exactly; the port is closed after trace ends', async (t) => {
  const port = 23_530;
  const metricsPort = 19_124;
  const n = 23;
  t.false(await listening(metricsPort), `something already listens on ${metricsPort}`);
  const {ns, trace, out} = await traceInNetns(t, 'h-tmetrics', ['--metrics-port', String(metricsPort)]);
  t.true(jsonLines(out()).some((l) => l.type === 'note' && l.text === `metrics: http://127.0.0.1:${metricsPort}/metrics`), out());

  const peer = spawn('ip', ['netns', 'exec', ns, PYTHON, '-c', HOLD, String(port), String(n)], {stdio: ['pipe', 'pipe', 'inherit']});
  let peerOut = '';
  peer.stdout!.on('data', (d) => (peerOut += d));
  const peerExited = new Promise((resolve) => peer.once('exit', resolve));
  for (let i = 0; i < 300 && !peerOut.includes('\n'); i++) await sleep(100);
  const locals = JSON.parse(peerOut) as number[];
  t.is(locals.length, n);
  // the programs print totals every second, each process on its own tick: scrape once a sample shows every
  // connection's both ends and every accept (the counts process) and the handshakes' 3 segments each (the pairs
  // process, which ticks apart: CI once scraped 0 segments before its first print)
  const seen = () => jsonLines(out()).some((l) => l.type === 'sample' && l.kernel.established?.client === n && l.kernel.established?.server === n && l.connections.accepted === n && l.trace.kernel.syscalls?.accept === n && l.kernel.rxTcpSegments >= 3 * n);
  for (let i = 0; i < 100 && !seen(); i++) await sleep(100);
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  // the namespace's TcpInSegs, read through the peer's /proc (nstat would make a socket() there, counted too)
  const inSegs = tcpInSegs(peer.pid!);

  peer.stdin!.end();
  await peerExited;
  trace.child.kill('SIGINT');
  const r = await trace.done;
  t.is(r.code, 0, r.stderr);
  const summary = jsonLines(r.stdout).at(-1)!;

  const families = parsePrometheusTextFormat(text) as Family[];
  const family = (name: string) => families.find((f) => f.name === name)?.metrics ?? [];
  const value = (name: string, labels: Record<string, string>) =>
    family(name).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)).map((m) => Number(m.value));
  // both ends of each connection, keyed by the server port, and nothing else in the namespace
  t.deepEqual(family('tcptrace_established_connections_total').map((m) => [m.labels, Number(m.value)]), [
    [{side: 'client', port: String(port)}, n],
    [{side: 'server', port: String(port)}, n],
  ]);
  // python3's calls in the namespace: the listener and 23 client sockets, 23 accepts, no failure
  t.deepEqual(value('tcptrace_syscalls_total', {syscall: 'socket'}), [n + 1]);
  t.deepEqual(value('tcptrace_syscalls_total', {syscall: 'accept'}), [n]);
  t.deepEqual(family('tcptrace_syscall_errors_total'), []);
  t.is(Number(family('tcptrace_connect_latency_seconds')[0]!.count), n);
  t.is(Number(family('tcptrace_socket_latency_seconds')[0]!.count), n + 1);
  // segments received in the namespace: the kernel's own count, where the receive program missed no run
  t.log(JSON.stringify({inSegs, runs: summary.runs?.receiveLookup}));
  if (summary.runs.receiveLookup.eventsMissed === 0) t.deepEqual(value('tcptrace_rx_tcp_segments_total', {}), [inSegs]);
  // no generator in trace: no generator family
  t.deepEqual(family('tcptrace_generator_connections_total'), []);
  // the summary says the same as the scrape
  t.deepEqual(summary.kernel.established, {client: n, server: n});
  t.deepEqual(summary.kernel.syscalls, {socket: n + 1, connect: n, accept: n});
  // trace ended: nothing listens on the metrics port any more
  t.false(await listening(metricsPort));
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
});
