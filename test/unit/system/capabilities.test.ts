import test, {type ExecutionContext} from 'ava';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {FIXTURES} from '../../helpers/paths.js';
import {detectCapabilities, formatDataOffset, formatHasField, kernelStructOffsets, kprobesMissing} from '../../../src/system/capabilities.js';
import {parseBpftraceVersion} from '../../../src/bpftrace/version.js';

// tracefs's events/kmem/kmem_cache_alloc/format: the whole file from this host (6.18), the field lines from the
// 6.1 matrix guest
const format618 = readFileSync(join(FIXTURES, 'tracefs/kmem_cache_alloc-6.18.format'), 'utf8');
const fields61 = readFileSync(join(FIXTURES, 'tracefs/kmem_cache_alloc-6.1.fields'), 'utf8');

test('kmem_cache_alloc has the cache name from 6.18, not in 6.1', (t) => {
  t.true(formatHasField(format618, 'name'));
  t.false(formatHasField(fields61, 'name'));
});

test('a field is matched by its whole name, never inside another or in the print fmt', (t) => {
  t.true(formatHasField(fields61, 'ptr'));
  t.true(formatHasField(fields61, 'call_site'));
  t.false(formatHasField(fields61, 'site'));
  // "name=%s" and "__get_str(name)" are in 6.18's print fmt line, not in a field line
  t.false(formatHasField(format618.split('\n').filter((l) => !l.includes('field:')).join('\n'), 'name'));
  t.true(formatHasField('\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;', 'comm'));
});

test("kmem_cache_alloc's name string starts at 61 on 6.18 (right after the last fixed field); 6.1 has no __data_loc field", (t) => {
  t.is(formatDataOffset(format618), 61);
  t.is(formatDataOffset(fields61), null);
});

test('no BTF to read (a missing file, or one that is not BTF): no struct offsets, so the probes are rendered as written', async (t) => {
  t.is(await kernelStructOffsets('/nonexistent/btf/vmlinux'), null);
  t.is(await kernelStructOffsets(join(FIXTURES, 'tracefs/kmem_cache_alloc-6.18.format')), null);
});

// A bpftrace that only writes down the program it was given and fails (no root, no kernel needed); programs()
// lists the trial programs among them (not kmemHasName's `-lv` where tracefs is not mounted).
function recordingBpftrace(t: ExecutionContext): {path: string; programs: () => string[]} {
  const dir = mkdtempSync(join(tmpdir(), 'tcp-trace-trial-'));
  t.teardown(() => rmSync(dir, {recursive: true, force: true}));
  const path = join(dir, 'bpftrace');
  writeFileSync(path, `#!/bin/sh\nfor a in "$@"; do last="$a"; done\nprintf '%s\\n' "$last" >> ${dir}/programs\nexit 1\n`, {mode: 0o755});
  return {path, programs: () => (existsSync(join(dir, 'programs')) ? readFileSync(join(dir, 'programs'), 'utf8').trim().split('\n').filter((p) => p.includes('@n = count()')) : [])};
}

test('under --probes tracepoint only the tracepoint trial runs; the other kinds are recorded as not tried', async (t) => {
  const fake = recordingBpftrace(t);
  const caps = await detectCapabilities(fake.path, parseBpftraceVersion('bpftrace v0.17.0')!, 'tracepoint');
  t.deepEqual(fake.programs().map((p) => /(tracepoint|kprobe|fentry|kfunc):\S+/.exec(p)?.[0]), ['tracepoint:sock:inet_sock_set_state']);
  t.false(caps.kinds.tracepoint.attaches);
  t.deepEqual(caps.kinds.kfunc, {attaches: null, why: 'not tried: --probes tracepoint was asked for'});
  t.deepEqual(caps.kinds.kprobe, {attaches: null, why: 'not tried: --probes tracepoint was asked for'});
  // the struct offsets are for bpftrace before 0.24 (none from 0.24 on: it reads the kernel's BTF itself)
  t.is((await detectCapabilities(fake.path, parseBpftraceVersion('bpftrace v0.27.1')!, 'tracepoint')).structOffsets, null);
});

test('with no --probes every kind is tried (kprobe only where the kernel has kprobes)', async (t) => {
  const fake = recordingBpftrace(t);
  await detectCapabilities(fake.path, parseBpftraceVersion('bpftrace v0.17.0')!);
  const hooks = fake.programs().map((p) => /(tracepoint|kprobe|fentry|kfunc):\S+/.exec(p)?.[0]).sort();
  t.true(hooks.includes('kfunc:tcp_v4_rcv') && hooks.includes('tracepoint:sock:inet_sock_set_state'), JSON.stringify(hooks));
  t.is(hooks.includes('kprobe:tcp_v4_rcv'), (await kprobesMissing()) === null, JSON.stringify(hooks));
});
