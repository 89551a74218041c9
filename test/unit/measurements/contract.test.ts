// The contract between the probes and the TypeScript: every map a probe file writes is its measurement's, declared
// once; every declared map is in the files of each variant that has it; nothing outside src/measurements/ names a
// map; every variant of a measurement gives the same reading shape; a run composes at most 3 programs.
import test from 'ava';
import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {REGISTRY, mapOwner, readAll} from '../../../src/measurements/index.js';
import {PROBES_DIR, VARIANTS} from '../../../src/probes/catalog.js';
import {COMM_FILTER, PID_FILTER, argFields, blamedMeasurement, composeProgram, parseBlocks, processFiltered} from '../../../src/probes/compose.js';
import {planProbes} from '../../../src/probes/plan.js';
import {mapKeysFor, processGroups} from '../../../src/probes/session.js';
import {emptyKernelState} from '../../../src/bpftrace/kernel-state.js';

const ROOT = join(PROBES_DIR, '..');
const code = (file: string) => readFileSync(join(PROBES_DIR, file), 'utf8').split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
const mapsIn = (text: string) => new Set(text.match(/@[A-Za-z_]\w*/g) ?? []);

test('every @map in probes/*.bt is declared by the measurement whose variants use the file, for their kinds', (t) => {
  const files = readdirSync(PROBES_DIR).filter((f) => f.endsWith('.bt'));
  const used = new Set(VARIANTS.flatMap((v) => v.files ?? [v.file]));
  t.deepEqual(files.filter((f) => !used.has(f)), [], 'a probe file no variant uses');
  for (const v of VARIANTS) {
    const module = REGISTRY.find((m) => m.name === v.measurement)!;
    for (const f of v.files ?? [v.file]) {
      for (const map of mapsIn(code(f))) {
        const decl = module.maps.find((d) => d.name === map);
        t.truthy(decl, `${f}: ${map} is not declared by ${v.measurement}`);
        if (decl?.kinds) t.true(decl.kinds.includes(v.kind), `${f}: ${map} is declared for ${decl.kinds.join('/')} only, used by ${v.kind}`);
      }
    }
  }
});

test('every declared map is written by every variant that has it, and map names are unique across measurements', (t) => {
  const names = REGISTRY.flatMap((m) => m.maps.map((d) => d.name));
  t.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
  for (const v of VARIANTS) {
    const text = (v.files ?? [v.file]).map(code).join('\n');
    const module = REGISTRY.find((m) => m.name === v.measurement)!;
    for (const d of module.maps.filter((x) => !x.kinds || x.kinds.includes(v.kind))) t.true(text.includes(d.name), `${v.file} (${v.kind}) lacks ${d.name}`);
  }
});

test('outside src/measurements/, no TypeScript names a bpftrace map', (t) => {
  const walk = (dir: string): string[] =>
    readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const offenders = walk(join(ROOT, 'src'))
    .filter((f) => !f.includes(`${join('src', 'measurements')}`))
    .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/['"`](@[a-z_][a-z_0-9]*)/g)].filter((m) => mapOwner(m[1]!)).map((m) => `${f}: ${m[1]}`));
  t.deepEqual(offenders, []);
});

test('every variant of a measurement gives the same reading shape', (t) => {
  for (const m of REGISTRY) {
    const kinds = [...new Set(m.variants.map((v) => v.kind))];
    const shapes = kinds.map((k) => Object.keys(readAll(emptyKernelState(), {[m.name]: k})[m.name] as object).sort());
    for (const s of shapes) t.deepEqual(s, shapes[0], m.name);
  }
});

test('probe files hold only their question: no BEGIN, interval or END; each runs by hand (#!/usr/bin/env bpftrace)', (t) => {
  for (const f of readdirSync(PROBES_DIR).filter((x) => x.endsWith('.bt'))) {
    const text = readFileSync(join(PROBES_DIR, f), 'utf8');
    t.true(text.startsWith('#!/usr/bin/env bpftrace\n'), f);
    t.deepEqual(parseBlocks(text, f).flatMap((b) => b.probes).filter((p) => /^(BEGIN|END|interval:)/.test(p)), [], f);
  }
});

test('a whole plan composes into at most 3 programs; blocks on one probe become one (inet_sock_set_state once)', (t) => {
  const host = {kinds: {kfunc: {attaches: false, why: 'x'}, kprobe: {attaches: false, why: 'x'}, tracepoint: {attaches: true, why: ''}}, kmemName: true, btf: true};
  const groups = processGroups(planProbes(host));
  t.is(groups.length, 3);
  t.deepEqual(groups.map((g) => g.map((e) => e.measurement)), [['connections', 'portAllocation', 'socketCreation', 'timeWait'], ['fourTuples', 'receiveLookup'], ['slab']]);
  const parts = groups[0]!.map((e) => ({
    measurement: e.measurement,
    kind: e.kind!,
    files: (e.variant!.files ?? [e.variant!.file]).map((name) => ({name, text: readFileSync(join(PROBES_DIR, name), 'utf8')})),
    maps: REGISTRY.find((m) => m.name === e.measurement)!.maps,
  }));
  const {text, lineOwners} = composeProgram(parts);
  t.is(text.match(/^tracepoint:sock:inet_sock_set_state$/gm)?.length, 1);
  // one ready line, every tick-printed map printed in interval and END, the set maps only at END
  t.is(text.match(/printf\("ready\\n"\)/g)?.length, 1);
  t.is(text.match(/print\(@client_estab\)/g)?.length, 2);
  t.true(text.includes('clear(@connect_start)'));
  // no process chosen: no process filter left
  t.false(text.includes('$2') || text.includes('$3'));
  t.is(lineOwners.length, text.split('\n').length - 1);
  t.true(lineOwners.includes('portAllocation') && lineOwners.includes('connections'));
});

test('only the pairs group grows with the run: the counts group is sized by connections in flight, the sets print once at END', (t) => {
  const host = {kinds: {kfunc: {attaches: false, why: 'x'}, kprobe: {attaches: false, why: 'x'}, tracepoint: {attaches: true, why: ''}}, kmemName: true, btf: true};
  const [counts, pairs] = processGroups(planProbes(host));
  // bpftrace 0.17 sizes every map of a program alike: the counts' per-CPU maps stay small in a run of 100 000
  const keys = (g: typeof counts) => Math.max(...g!.map((e) => mapKeysFor(e.variant!, 100_000, 512) ?? 4096));
  t.is(keys(counts), 4096 + 4096);
  t.is(keys(pairs), 150_000);
  // trace does not know the load it watches: sized like the sets, so that TIME_WAIT by remote port (one key per
  // client port when servers close first) never fills
  t.is(Math.max(...counts!.map((e) => mapKeysFor(e.variant!, 20_000) ?? 4096)), 70_000);
  const parts = pairs!.map((e) => ({
    measurement: e.measurement,
    kind: e.kind!,
    files: (e.variant!.files ?? [e.variant!.file]).map((name) => ({name, text: readFileSync(join(PROBES_DIR, name), 'utf8')})),
    maps: REGISTRY.find((m) => m.name === e.measurement)!.maps,
  }));
  const {text} = composeProgram(parts);
  t.is(text.match(/print\(@tuples\)/g)?.length, 1);
  t.is(text.match(/print\(@ports\)/g)?.length, 1);
  t.is(text.match(/print\(@rx_tcp4\)/g)?.length, 2);
});

test('argsOnce (bpftrace before 0.24): each tracepoint field read once per block, on a line owned by its one reader; str() and function probes as written', (t) => {
  const host = {kinds: {kfunc: {attaches: false, why: 'x'}, kprobe: {attaches: false, why: 'x'}, tracepoint: {attaches: true, why: ''}}, kmemName: true, btf: true};
  const partsOf = (g: ReturnType<typeof processGroups>[number]) => g.map((e) => ({
    measurement: e.measurement,
    kind: e.kind!,
    files: (e.variant!.files ?? [e.variant!.file]).map((name) => ({name, text: readFileSync(join(PROBES_DIR, name), 'utf8')})),
    maps: REGISTRY.find((m) => m.name === e.measurement)!.maps,
  }));
  const [counts, , slabGroup] = processGroups(planProbes(host));
  const plain = composeProgram(partsOf(counts!));
  const once = composeProgram(partsOf(counts!), {}, {argsOnce: true});
  const block = (text: string) => text.slice(text.indexOf('tracepoint:sock:inet_sock_set_state'), text.indexOf('\n}\n', text.indexOf('tracepoint:sock:inet_sock_set_state')));
  // three measurements' blocks on one tracepoint: 6 fields, each read once instead of 20 reads of dport alone
  t.true(block(plain.text).match(/args->dport/g)!.length > 5);
  for (const f of ['protocol', 'skaddr', 'oldstate', 'newstate', 'sport', 'dport']) t.is(block(once.text).match(new RegExp(`args->${f}\\b`, 'g'))?.length, 1, f);
  t.is(once.lineOwners.length, once.text.split('\n').length - 1);
  const lines = once.text.split('\n');
  // protocol is read by every measurement of the block: no one owner; a syscall's ret by its one reader
  t.is(once.lineOwners[lines.indexOf('  $args_protocol = args->protocol;')], null);
  t.is(once.lineOwners[lines.findIndex((l) => l.includes('$args_ret = args->ret;'))], 'portAllocation');
  // a block's own predicate stays as written (it runs before the body); its body reads through the variables
  const pairs = composeProgram(partsOf(processGroups(planProbes(host))[1]!), {}, {argsOnce: true});
  t.true(pairs.text.includes('/args->protocol == 6 && args->oldstate == 2 && args->newstate == 1/\n{\n  $args_skaddr = args->skaddr;'), pairs.text);
  t.true(pairs.text.includes('@ports[$args_dport, $args_sport] = 1;'));
  // the slab name is read from args itself (a __data_loc string): never through a variable
  const slab = composeProgram(partsOf(slabGroup!), {}, {argsOnce: true});
  t.true(slab.text.includes('str(args->name, 32)'));
  t.false(slab.text.includes('$args_name'));
  t.deepEqual(argFields(['kfunc:inet_hash_connect'], ['args->sk->x']), []);
  t.deepEqual(argFields(['tracepoint:a:b', 'tracepoint:a:c'], ['args->x + str(args->s) + args->y[1] + args->x']), ['x']);
  // a comment naming a field, a variable named $args, str( with a space, a member path: none is a read to hoist
  t.deepEqual(argFields(['tracepoint:a:b'], ['// args->gone is not read\n$args->a + str( args->s) + args->st.m + args->ok']), ['ok']);
});

test('process filter: dropped when no process is chosen, an || of pids for several, kept for one pid or a comm', (t) => {
  const pred = `($1 == 0 || x == $1) && ${PID_FILTER} && ${COMM_FILTER}`;
  t.is(processFiltered(pred, {}), '($1 == 0 || x == $1)');
  t.is(processFiltered(pred, {pids: [7]}), `($1 == 0 || x == $1) && ${PID_FILTER}`);
  t.is(processFiltered(pred, {pids: [7, 8], comm: 'python3'}), `($1 == 0 || x == $1) && (pid == 7 || pid == 8) && ${COMM_FILTER}`);
  t.is(processFiltered(PID_FILTER, {}), '');
});

test('a map written by another measurement, or a skeleton block in a probe file, is refused when composing', (t) => {
  const maps = REGISTRY.find((m) => m.name === 'connections')!.maps;
  t.throws(() => composeProgram([{measurement: 'connections', kind: 'tracepoint', files: [{name: 'x.bt', text: 'tracepoint:a:b { @calls = count(); }'}], maps}]), {message: /@calls is not declared by connections/});
  t.throws(() => composeProgram([{measurement: 'connections', kind: 'tracepoint', files: [{name: 'x.bt', text: 'END { print(@closed); }'}], maps}]), {message: /composer's/});
});

test('a bpftrace error is blamed on the measurement whose probe it names, else whose lines it names (stdin:A-B)', (t) => {
  const maps = (m: string) => REGISTRY.find((x) => x.name === m)!.maps;
  const parts = [
    {measurement: 'socketCreation', kind: 'tracepoint' as const, files: [{name: 'a.bt', text: '// a comment\ntracepoint:syscalls:sys_enter_socket\n{\n  // inside\n  @socket_ok = count();\n}\n'}], maps: maps('socketCreation')},
    {measurement: 'receiveLookup', kind: 'tracepoint' as const, files: [{name: 'b.bt', text: 'tracepoint:net:netif_receive_skb\n{\n  @rx_packets = count();\n}\n'}], maps: maps('receiveLookup')},
  ];
  const composed = composeProgram(parts);
  const lines = composed.text.split('\n');
  const at = lines.indexOf('tracepoint:net:netif_receive_skb') + 1;
  const probes = [{measurement: 'socketCreation', probes: ['tracepoint:syscalls:sys_enter_socket']}, {measurement: 'receiveLookup', probes: ['tracepoint:net:netif_receive_skb']}];
  // a range starts at the end of the block before (socketCreation's) and ends at the probe at fault
  t.is(blamedMeasurement(`stdin:${at - 2}-${at}: ERROR: Unknown identifier`, composed, probes), 'receiveLookup');
  t.is(blamedMeasurement(`stdin:${at + 2}:3-9: ERROR: type mismatch`, composed, probes), 'receiveLookup');
  t.is(blamedMeasurement('ERROR: tracepoint not found: syscalls:sys_enter_socket', composed, probes), 'socketCreation');
  t.is(blamedMeasurement('ERROR: out of memory', composed, probes), null);
});
