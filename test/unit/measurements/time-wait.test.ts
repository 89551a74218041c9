// The timeWait measurement: its reading from folded totals, and its tracepoint block merged into the counts group's
// one inet_sock_set_state block beside connections' and portAllocation's.
import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {REGISTRY, readAll} from '../../../src/measurements/index.js';
import {PROBES_DIR} from '../../../src/probes/catalog.js';
import {composeProgram} from '../../../src/probes/compose.js';
import {emptyKernelState, type KernelState} from '../../../src/bpftrace/kernel-state.js';

const state = (counters: KernelState['counters']): KernelState => ({...emptyKernelState(), counters});

test('entered by remote port and in all; reused only where a function probe ran (null on tracepoints)', (t) => {
  const k = state({'@tw_entered': {'12000': 50, '12001': 3}, '@tw_reused': {'': 10}});
  t.deepEqual(readAll(k, {timeWait: 'tracepoint'}).timeWait, {entered: 53, enteredByRemotePort: {'12000': 50, '12001': 3}, reused: null});
  t.deepEqual(readAll(k, {timeWait: 'kprobe'}).timeWait, {entered: 53, enteredByRemotePort: {'12000': 50, '12001': 3}, reused: 10});
  t.is(readAll(state({}), {timeWait: 'kfunc'}).timeWait.reused, 0);
  t.is(readAll(state({})).timeWait.reused, null);
});

test('the tracepoint variant counts FIN_WAIT2 or CLOSING -> CLOSE, merged into the one inet_sock_set_state block', (t) => {
  const parts = (['connections', 'timeWait'] as const).map((name) => {
    const m = REGISTRY.find((x) => x.name === name)!;
    const v = m.variants.find((x) => x.kind === 'tracepoint')!;
    return {measurement: name, kind: 'tracepoint' as const, files: v.files.map((f) => ({name: f, text: readFileSync(join(PROBES_DIR, f), 'utf8')})), maps: m.maps};
  });
  const {text} = composeProgram(parts);
  t.is(text.match(/^tracepoint:sock:inet_sock_set_state$/gm)?.length, 1);
  // the hand-over's states are checked before the namespace is read through the socket
  t.regex(text, /if \(args->protocol == 6 && args->newstate == 7 && \(args->oldstate == 5 \|\| args->oldstate == 11\)\) \{\n\s*\$sk = [^\n]*\n\s*if \(\(\$1 == 0 \|\| \$sk->__sk_common\.skc_net\.net->ns\.inum == \$1\)[^\n]*\n\s*@tw_entered\[args->dport\] = count\(\);/);
  // the kprobe-only scratch map and the function-probe count are left out of a tracepoint program
  t.is(text.match(/print\(@tw_entered\)/g)?.length, 2);
  t.false(text.includes('@tw_reused') || text.includes('@tw_in'));
});

test('the function-probe variants add tcp_twsk_unique() returning 1 to the tracepoint base', (t) => {
  const m = REGISTRY.find((x) => x.name === 'timeWait')!;
  for (const kind of ['kfunc', 'kprobe'] as const) {
    const v = m.variants.find((x) => x.kind === kind)!;
    t.deepEqual(v.files, ['timewait-tp.bt', `timewait-${kind}.bt`]);
    t.true(v.needs.includes('fn:tcp_twsk_unique'));
    const files = v.files.map((f) => ({name: f, text: readFileSync(join(PROBES_DIR, f), 'utf8')}));
    const {text} = composeProgram([{measurement: 'timeWait', kind, files, maps: m.maps}]);
    t.regex(text, kind === 'kfunc' ? /^kretfunc:tcp_twsk_unique$/m : /^kretprobe:tcp_twsk_unique$/m);
    t.is(text.match(/print\(@tw_reused\)/g)?.length, 2);
  }
});
