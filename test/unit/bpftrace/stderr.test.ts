import test from 'ava';
import {classifyStderr, explainFailure} from '../../../src/bpftrace/stderr.js';
import {parseBpftraceVersion, functionProbeSpelling} from '../../../src/bpftrace/version.js';

const cases: Array<[string, 'ignore' | 'warning' | 'error']> = [
  ['ERROR: Unknown error -1: couldn\'t set RLIMIT_MEMLOCK for bpftrace. If your program is not loading, you can try "ulimit -l 8192" to fix the problem', 'ignore'],
  ['Attaching 4 probes...', 'ignore'],
  ['ERROR: Error attaching probe: \'kprobe:tcp_v4_rcv\'', 'error'],
  ['stdin:1:1-17: ERROR: kfunc/kretfunc not available for your kernel version.', 'error'],
  ['stdin:1:1-18: WARNING: tcp_v4_rcv is not traceable (either non-existing, inlined, or marked as "notrace"); attaching to it will likely fail', 'warning'],
  ['kprobe:tcp_v4_rcv { @=count(); }', 'ignore'],
  ['~~~~~~~~~~~~~~~~~', 'ignore'],
];
for (const [line, kind] of cases) {
  test(`stderr: ${line.slice(0, 50)} -> ${kind}`, (t) => t.is(classifyStderr(line).kind, kind));
}

test('the first error explains a failure, past the memlock noise and warnings', (t) => {
  t.is(
    explainFailure([cases[0]![0], cases[4]![0], 'create_probe_event: open(/sys/kernel/tracing/kprobe_events): No such file or directory', cases[2]![0]]),
    "Error attaching probe: 'kprobe:tcp_v4_rcv'",
  );
  t.is(explainFailure([]), 'bpftrace exited without attaching and gave no reason');
  t.is(explainFailure([cases[0]![0], 'Attaching 3 probes...', 'No BTF found for __inet_lookup_established', '']), 'No BTF found for __inet_lookup_established');
});

test('versions and the function-probe spelling they accept', (t) => {
  const v017 = parseBpftraceVersion('bpftrace v0.17.0')!;
  const v021 = parseBpftraceVersion('bpftrace v0.21.2-1')!;
  t.is(v017.text, '0.17.0');
  t.deepEqual(functionProbeSpelling(v017), {entry: 'kfunc', exit: 'kretfunc'});
  t.deepEqual(functionProbeSpelling(v021), {entry: 'fentry', exit: 'fexit'});
  t.is(parseBpftraceVersion('no version here'), null);
});
