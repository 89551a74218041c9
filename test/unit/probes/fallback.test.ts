import test from 'ava';
import {readFileSync as readText} from 'node:fs';
import {fallBack, planProbes} from '../../../src/probes/plan.js';
import {silence} from '../../../src/probes/session.js';
import {renderProgram, renderRefusal} from '../../../src/probes/render.js';
import {VARIANTS} from '../../../src/probes/catalog.js';
import {emptyKernelState} from '../../../src/bpftrace/kernel-state.js';
import {parseBpftraceVersion} from '../../../src/bpftrace/version.js';
import {tracepointsOnly} from '../../helpers/live.js';
import {ROOT} from '../../helpers/paths.js';

const PROBES = `${ROOT}/probes`;

const everything = {...tracepointsOnly, kinds: {kfunc: {attaches: true, why: 'ok'}, kprobe: {attaches: true, why: 'ok'}, tracepoint: {attaches: true, why: 'ok'}}};

test('a kernel with kfunc plans kfunc first, with kprobe then tracepoint as fallbacks', (t) => {
  const e = planProbes(everything).find((p) => p.measurement === 'socketCreation')!;
  t.is(e.variant!.file, 'sockalloc-kfunc.bt');
  t.deepEqual(e.fallbacks.map((v) => v.file), ['sockalloc-kprobe.bt', 'sockalloc-tp.bt']);
});

test('receive lookups have no kfunc variant (too many parameters for kfunc): kprobe is the best', (t) => {
  const e = planProbes(everything).find((p) => p.measurement === 'receiveLookup')!;
  t.is(e.variant!.file, 'rxlookup-kprobe.bt');
  t.deepEqual(e.passedOver, [{kind: 'kfunc', why: 'no kfunc variant in this build'}]);
});

test('falling back (sock_alloc inlined: silent) takes the kprobe variant and says why', (t) => {
  const e = planProbes(everything).find((p) => p.measurement === 'socketCreation')!;
  const next = fallBack(e, 'attached but silent: @sock_alloc 2 after 2 connections (4 expected)');
  t.is(next.kind, 'kprobe');
  t.regex(next.why, /kfunc: attached but silent/);
  const last = fallBack(fallBack(next, 'kprobe failed'), 'tracepoint failed');
  t.is(last.kind, null);
  t.regex(last.why, /^unavailable here: kfunc: .*; kprobe: kprobe failed; tracepoint: tracepoint failed$/);
});

test('slab on 6.12 (no name field, *_noprof allocators): the noprof kfunc variant', (t) => {
  const host = {...everything, kmemName: false, functions: {kmem_cache_alloc_noprof: true, kmem_cache_alloc_lru_noprof: true, kmem_cache_alloc: false, kmem_cache_alloc_lru: false}};
  t.is(planProbes(host).find((p) => p.measurement === 'slab')!.variant!.file, 'slab-kfunc-noprof.bt');
});

test('slab on 6.1 (no name field, plain allocator names): the kfunc variant', (t) => {
  const host = {...everything, kmemName: false, functions: {kmem_cache_alloc_noprof: false, kmem_cache_alloc_lru_noprof: false, kmem_cache_alloc: true, kmem_cache_alloc_lru: true}};
  const e = planProbes(host).find((p) => p.measurement === 'slab')!;
  t.is(e.variant!.file, 'slab-kfunc.bt');
  t.regex(e.why, /kmem_cache_alloc_noprof is not in this kernel/);
});

test('liveness: a silent sock_alloc (inlined on the accept path) is named with its count', (t) => {
  const v = VARIANTS.find((x) => x.file === 'sockalloc-kfunc.bt')!;
  const state = {...emptyKernelState(), counters: {'@sock_alloc': {'': 2}}};
  t.is(silence(v, state, 2), 'attached but silent: @sock_alloc 2 after 2 connections (4 expected)');
  t.is(silence(v, {...state, counters: {'@sock_alloc': {'': 4}}}, 2), null);
  t.is(silence(VARIANTS.find((x) => x.file === 'sockalloc-tp.bt')!, emptyKernelState(), 2), null);
});

test('rendering: kfunc/kretfunc stay on 0.17-0.19 (0.19 has no fentry), become fentry/fexit on 0.20+, comments untouched', (t) => {
  const text = '// Hooks: kfunc:tcp_set_state\nkfunc:tcp_set_state { }\nkretfunc:a,\nkretfunc:b { }\n';
  t.is(renderProgram(text, parseBpftraceVersion('v0.17.0')!), text);
  t.is(renderProgram(text, parseBpftraceVersion('v0.20.1')!), '// Hooks: kfunc:tcp_set_state\nfentry:tcp_set_state { }\nfexit:a,\nfexit:b { }\n');
});

test('several pids: every process filter of every probe file becomes an || of them', async (t) => {
  const {readFileSync, readdirSync} = await import('node:fs');
  const {processFiltered, parseBlocks} = await import('../../../src/probes/compose.js');
  const files = readdirSync(PROBES).filter((f) => readFileSync(`${PROBES}/${f}`, 'utf8').includes('pid == $2'));
  t.true(files.length >= 6, files.join(' '));
  for (const f of files) {
    // the composer filters each block's predicate (the process filter lives only there)
    const out = parseBlocks(readFileSync(`${PROBES}/${f}`, 'utf8'), f).map((b) => `${b.predicate === null ? '' : processFiltered(b.predicate, {pids: [101, 202]})}\n${b.body}`).join('\n');
    // no filter left in another spelling that would keep only $2
    t.false(out.includes('$2'), f);
    t.true(out.includes('(pid == 101 || pid == 202)'), f);
  }
  t.is(processFiltered('($2 == 0 || pid == $2)', {pids: [7]}), '($2 == 0 || pid == $2)');
});

test('flags: a repeated or comma-separated --pid is a list; a string flag reads its last value', async (t) => {
  const {flagList, flagString} = await import('../../../src/options.js');
  t.deepEqual(flagList({pid: ['1', '2,3', ' 4 ']}, 'pid'), ['1', '2', '3', '4']);
  t.deepEqual(flagList({}, 'pid'), []);
  t.is(flagString({out: ['a', 'b']}, 'out'), 'b');
  t.is(flagString({json: true}, 'json'), undefined);
});

test("rendering for bpftrace 0.23: slab-tp.bt reads kmem_cache_alloc's name 3 x its offset lower (0.23 reads ctx + 4 x offset)", (t) => {
  const text = readText(`${PROBES}/slab-tp.bt`, 'utf8');
  t.true(text.includes('str(args->name, 32)'));
  const v023 = parseBpftraceVersion('v0.23.2')!;
  const out = renderProgram(text, v023, {kmemNameDataOffset: 61});
  t.false(out.includes('str(args->name, 32)'));
  t.true(out.includes('str((int8 *)((uint64)args->name - 183), 32)'));
  // other versions read it as written; 0.23 without the offset is refused, not run with empty names
  t.is(renderProgram(text, parseBpftraceVersion('v0.27.1')!, {kmemNameDataOffset: 61}), text);
  t.is(renderRefusal(text, v023, {}), "bpftrace 0.23.2 misreads tracepoint strings and the offset of kmem_cache_alloc's name is unknown (no tracefs format)");
  t.is(renderRefusal(text, v023, {kmemNameDataOffset: 61}), null);
});

test('every str() in the probes has a size: bpftrace 0.23+ make an unsized one 1 KiB (maps of them 13x larger, filters over the stack)', (t) => {
  const withStr = ['connect-syscalls.bt', 'portalloc-kfunc.bt', 'portalloc-kprobe.bt', 'sockalloc-kfunc.bt', 'sockalloc-kprobe.bt', 'sockalloc-tp.bt', 'slab-kfunc.bt', 'slab-kfunc-noprof.bt', 'slab-tp.bt'];
  for (const f of withStr) {
    const code = readText(`${PROBES}/${f}`, 'utf8').split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
    const calls = [...code.matchAll(/\bstr\(/g)].length;
    t.true(calls > 0, f);
    t.deepEqual(code.match(/\bstr\([^()]*(\([^()]*\)[^()]*)*\)/g)!.filter((c) => !/,\s*\d+\)$/.test(c)), [], f);
  }
});
