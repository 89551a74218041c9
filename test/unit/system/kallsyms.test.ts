import test from 'ava';
import {parseKallsyms, resolveSymbol, toAddress, topSiteByCache} from '../../../src/system/kallsyms.js';

const table = parseKallsyms(['ffffffff81000000 T _text', 'ffffffff81a00000 t sk_prot_alloc', 'ffffffff81a00400 T inet_bind2_bucket_create', 'ffffffff81b00000 D some_data', 'ffffffffc0000000 t mod_fn\t[mod]'].join('\n'));

test('bpftrace prints addresses signed: they come back unsigned', (t) => {
  t.is(toAddress('-2119661432'), 2n ** 64n - 2_119_661_432n);
  t.is(toAddress(-2119661432).toString(16), 'ffffffff81a88888');
});

test('an address resolves to the text symbol that contains it; data symbols are not text', (t) => {
  t.is(resolveSymbol(table, 0xffffffff81a00010n), 'sk_prot_alloc');
  t.is(resolveSymbol(table, 0xffffffff81a00400n), 'inet_bind2_bucket_create');
  t.is(resolveSymbol(table, 0xffffffff81b00010n), 'inet_bind2_bucket_create');
  t.is(resolveSymbol(table, 0xffffffffc0000008n), 'mod_fn');
  t.is(resolveSymbol(table, 0x1000n), '0x1000');
});

test('the top call site per cache, after two addresses in one function are added together', (t) => {
  const signed = (a: bigint) => BigInt.asIntN(64, a).toString();
  const sites = {
    [`eventpoll_epi,${signed(0xffffffff81a00410n)}`]: 100,
    [`eventpoll_epi,${signed(0xffffffff81a00420n)}`]: 100,
    [`eventpoll_epi,${signed(0xffffffff81a00010n)}`]: 150,
    [`TCP,${signed(0xffffffff81a00010n)}`]: 4736,
  };
  t.deepEqual(topSiteByCache(sites, table), {eventpoll_epi: 'inet_bind2_bucket_create', TCP: 'sk_prot_alloc'});
});
