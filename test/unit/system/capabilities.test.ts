import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {FIXTURES} from '../../helpers/paths.js';
import {formatDataOffset, formatHasField, kernelStructOffsets} from '../../../src/system/capabilities.js';

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
