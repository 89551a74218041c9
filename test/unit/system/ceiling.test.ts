import test from 'ava';
import {predictCeilings, type CeilingInput} from '../../../src/system/ceiling.js';

const base: CeilingInput = {
  limits: {
    ipLocalPortRange: {low: 32768, high: 60999, size: 28232},
    fileMax: 2_466_170,
    nrOpen: 1_048_576,
    nofile: {soft: 20_000, hard: 20_000},
    memAvailableBytes: 24 * 2 ** 30,
  },
  destinations: 1,
  slabBytesPerConnection: 8600,
  socketsPerConnection: 2,
  memoryReserveBytes: 2 * 2 ** 30,
};

const binding = (input: CeilingInput) => predictCeilings(input)[0]!;

test('one destination: the port range binds first (28 232 connections)', (t) => {
  t.like(binding(base), {limit: 'ip_local_port_range', connections: 28_232, errno: 'EADDRNOTAVAIL'});
});

test('many destinations: memory binds at MemAvailable minus the reserve over slab per connection', (t) => {
  const b = binding({...base, destinations: 1000, limits: {...base.limits, fileMax: 100_000_000}});
  t.is(b.limit, 'memory');
  t.is(b.connections, Math.floor((22 * 2 ** 30) / 8600));
});

test('a small file-max binds at file-max / 2 on loopback', (t) => {
  const b = binding({...base, destinations: 1000, limits: {...base.limits, fileMax: 100_001}});
  t.like(b, {limit: 'fs.file-max', connections: 50_000, errno: 'ENFILE'});
});

test('the per-process limit is always listed, last, with min(hard nofile, nr_open)', (t) => {
  const all = predictCeilings({...base, limits: {...base.limits, nrOpen: 1000}});
  t.like(all.at(-1), {limit: 'RLIMIT_NOFILE', connections: 1000, errno: 'EMFILE'});
  t.is(all.length, 4);
});

test('no memory above the reserve gives a memory ceiling of zero, not a negative one', (t) => {
  const all = predictCeilings({...base, limits: {...base.limits, memAvailableBytes: 2 ** 30}});
  t.is(all.find((c) => c.limit === 'memory')!.connections, 0);
});
