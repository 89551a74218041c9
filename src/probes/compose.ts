// Pure composer: the program one bpftrace process runs, from the probe files of the measurements in its group.
// Probe files hold only their question (probe blocks); the composer adds what every program needs: the `ready`
// line from BEGIN, the declared maps printed every second and at END, the `end` line and the clears; it merges
// blocks on the same probe into one (each tracepoint attached once per process), and leaves out the process filter
// where no process is chosen. bcc's tools build their programs from parts the same way (tcpconnect's --ebpf).
import {mapOwner} from '../measurements/index.js';
import type {MapDecl, ProbeKind} from '../measurements/index.js';

// The process filter terms every syscall block writes (PID $2, 0 = any; COMM $3, "" = any).
export const PID_FILTER = '($2 == 0 || pid == $2)';
export const COMM_FILTER = '(str($3, 16) == "" || comm == str($3, 16))';

// One top-level block of a probe file: its probe specifiers, its predicate (without slashes) and its body.
export type ProbeBlock = {probes: string[]; predicate: string | null; body: string; file: string};

// One measurement's part of a group program: its name, variant kind and files' texts.
export type ComposePart = {measurement: string; kind: ProbeKind; files: Array<{name: string; text: string}>; maps: MapDecl[]};

// A composed program and, for each of its lines (1-based), the measurement it came from (null: the skeleton).
export type Composed = {text: string; lineOwners: Array<string | null>};

// Skip a string literal or comment at i; returns the index after it, or i when none starts there.
function skipLiteral(text: string, i: number): number {
  if (text[i] === '"') {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  if (text.startsWith('//', i)) {
    const end = text.indexOf('\n', i);
    return end < 0 ? text.length : end;
  }
  if (text.startsWith('/*', i)) {
    const end = text.indexOf('*/', i + 2);
    return end < 0 ? text.length : end + 2;
  }
  return i;
}

// The top-level blocks of a probe file, in order; comments between blocks are dropped. Throws on unbalanced braces.
export function parseBlocks(text: string, file = 'program'): ProbeBlock[] {
  const blocks: ProbeBlock[] = [];
  let head = '';
  let i = 0;
  while (i < text.length) {
    const after = skipLiteral(text, i);
    if (after !== i) {
      if (text[i] === '"') head += text.slice(i, after);
      i = after;
      continue;
    }
    if (text[i] !== '{') {
      head += text[i];
      i++;
      continue;
    }
    // the body: up to the matching brace
    let depth = 0;
    let j = i;
    for (; j < text.length; j++) {
      const past = skipLiteral(text, j);
      if (past !== j) {
        j = past - 1;
        continue;
      }
      if (text[j] === '{') depth++;
      else if (text[j] === '}' && --depth === 0) break;
    }
    if (depth !== 0) throw new Error(`${file}: unbalanced braces`);
    const headText = head.replace(/^#!.*$/m, '').trim();
    const pred = /\/(.*)\/\s*$/s.exec(headText);
    const probes = (pred ? headText.slice(0, pred.index) : headText).split(',').map((p) => p.trim()).filter(Boolean);
    blocks.push({probes, predicate: pred ? pred[1]!.trim() : null, body: text.slice(i + 1, j).replace(/^\n+|\s+$/g, ''), file});
    head = '';
    i = j + 1;
  }
  if (head.replace(/^#!.*$/m, '').trim()) throw new Error(`${file}: text after the last block: ${head.trim().slice(0, 40)}`);
  return blocks;
}

// The skeleton's probes, which probe files leave to the composer.
const SKELETON = /^(BEGIN|END|interval:|i:)/;

// A predicate with the process filter left out where it selects nothing (no pid, no comm).
export function processFiltered(predicate: string, process: {pids?: number[]; comm?: string}): string {
  let p = predicate;
  const pids = (process.pids ?? []).filter((x) => x > 0);
  if (pids.length > 1) p = p.replaceAll(PID_FILTER, `(${pids.map((x) => `pid == ${Math.trunc(x)}`).join(' || ')})`);
  for (const [term, unused] of [
    [PID_FILTER, pids.length === 0],
    [COMM_FILTER, !process.comm],
  ] as const) {
    if (!unused) continue;
    p = p.replaceAll(` && ${term}`, '').replaceAll(`${term} && `, '');
    if (p.trim() === term) p = '';
  }
  return p.trim();
}

// The maps a measurement's variant of this kind has, by when they are printed.
function mapsOf(part: ComposePart, print: MapDecl['print']): string[] {
  return part.maps.filter((m) => m.print === print && (!m.kinds || m.kinds.includes(part.kind))).map((m) => m.name);
}

// A tracepoint field read as-is: `args->x` (not `$args->x`) not inside str() (a __data_loc string is read from args
// itself), not indexed (an array field) and not a member path (`args->x.y`: a struct is not a value).
const ARG_READ = /(?<![$\w])(?<!str\(\s*)args->(\w+)\b(?!\s*[[.])/g;

// A text without its // comments (a field a comment names is not read).
const uncommented = (text: string) => text.replace(/\/\/.*$/gm, '');

// The tracepoint fields a text reads, in first-seen order.
const fieldsRead = (text: string) => [...uncommented(text).matchAll(ARG_READ)].map((m) => m[1]!);

// A tracepoint block's fields read in its body, each once, in first-seen order (none unless every probe of the
// block is a tracepoint: `args` of a function probe are its parameters, read from registers).
export function argFields(probes: string[], bodies: string[]): string[] {
  if (!probes.every((p) => /^(tracepoint|t):/.test(p))) return [];
  return [...new Set(bodies.flatMap(fieldsRead))];
}

// A body with every field of `fields` read from its `$args_<field>` variable.
function readFromVariables(body: string, fields: string[]): string {
  return body.replace(ARG_READ, (whole, f: string) => (fields.includes(f) ? `$args_${f}` : whole));
}

// The program for one process: every part's blocks (blocks on the same probes merged into one, each part's
// predicate as an `if`), then BEGIN / interval / END from the declared maps. `argsOnce` (bpftrace before 0.24:
// tracepointArgsReresolved) reads each tracepoint field once per block into `$args_<field>`, one line per field
// owned by the measurement that reads it (null when several do), the block's predicate left as written. Throws
// when a file holds a skeleton block or a map no measurement declares as its own.
export function composeProgram(parts: ComposePart[], process: {pids?: number[]; comm?: string} = {}, options: {argsOnce?: boolean} = {}): Composed {
  const lines: Array<{text: string; owner: string | null}> = [];
  const push = (text: string, owner: string | null) => {
    for (const l of text.split('\n')) lines.push({text: l, owner});
  };
  push(`// composed by tcp-trace: ${parts.map((p) => `${p.measurement} (${p.files.map((f) => f.name).join(' + ')})`).join(', ')}`, null);
  push('BEGIN\n{\n  // every probe is attached once BEGIN runs: tcp-trace waits for this line\n  printf("ready\\n");\n}', null);

  const all: Array<ProbeBlock & {measurement: string}> = [];
  for (const part of parts) {
    for (const f of part.files) {
      for (const b of parseBlocks(f.text, f.name)) {
        if (b.probes.some((p) => SKELETON.test(p))) throw new Error(`${f.name}: ${b.probes.join(', ')} is the composer's (BEGIN, interval, END)`);
        for (const m of b.body.match(/@[A-Za-z_]\w*/g) ?? []) {
          if (mapOwner(m)?.measurement !== part.measurement) throw new Error(`${f.name}: ${m} is not declared by ${part.measurement}`);
        }
        all.push({...b, predicate: b.predicate === null ? null : processFiltered(b.predicate, process) || null, measurement: part.measurement});
      }
    }
  }
  // blocks on the same probes, in first-seen order
  const byProbes = new Map<string, Array<ProbeBlock & {measurement: string}>>();
  for (const b of all) {
    const key = b.probes.join(',');
    byProbes.set(key, [...(byProbes.get(key) ?? []), b]);
  }
  for (const group of byProbes.values()) {
    const [first] = group;
    push('', null);
    // in a merged block the predicates become `if` conditions, read once like the bodies
    const merged = group.length > 1;
    const texts = (b: ProbeBlock) => (merged ? [b.predicate ?? '', b.body] : [b.body]);
    const fields = options.argsOnce ? argFields(first!.probes, group.flatMap(texts)) : [];
    const once = (text: string) => readFromVariables(text, fields);
    const hoist = () => {
      const reads = group.map((b) => ({measurement: b.measurement, fields: new Set(texts(b).flatMap(fieldsRead))}));
      for (const f of fields) {
        const readers = new Set(reads.filter((r) => r.fields.has(f)).map((r) => r.measurement));
        push(`  $args_${f} = args->${f};`, readers.size === 1 ? [...readers][0]! : null);
      }
    };
    if (!merged) {
      push(`${first!.probes.join(',\n')}${first!.predicate ? `\n/${first!.predicate}/` : ''}\n{`, first!.measurement);
      hoist();
      push(once(first!.body), first!.measurement);
      push('}', first!.measurement);
      continue;
    }
    push(`${first!.probes.join(',\n')}\n{`, null);
    hoist();
    for (const b of group) {
      push(`  // ${b.measurement} (${b.file})\n  if (${once(b.predicate ?? '1')}) {`, b.measurement);
      push(once(b.body).replace(/^/gm, '  '), b.measurement);
      push('  }', b.measurement);
    }
    push('}', null);
  }

  const tick = parts.flatMap((p) => mapsOf(p, 'tick'));
  const end = parts.flatMap((p) => mapsOf(p, 'end'));
  const scratch = parts.flatMap((p) => mapsOf(p, 'never'));
  const prints = (names: string[]) => names.map((n) => `print(${n});`).join(' ');
  const clears = (names: string[]) => names.map((n) => `clear(${n});`).join(' ');
  push(`\ninterval:ms:1000\n{\n  ${prints(tick)}\n  printf("tick\\n");\n}`, null);
  push(
    `\nEND\n{\n  ${prints(tick)}${end.length ? `\n  ${prints(end)}` : ''}\n  printf("end\\n");\n` +
      `  // cleared so that bpftrace's own dump at exit prints nothing more\n  ${clears([...tick, ...end, ...scratch])}\n}`,
    null,
  );
  return {text: lines.map((l) => l.text).join('\n') + '\n', lineOwners: lines.map((l) => l.owner)};
}

// The measurement a bpftrace error points at: by a probe it names (`tracepoint not found: net:x`), else by the line
// it names: `stdin:12:3-9: ERROR` (line 12), or `stdin:40-42: ERROR`, a range from the end of the block before to
// the probe at fault (bpftrace 0.17, measured: a missing tracepoint on line 8 after a block ending on line 5 is
// `stdin:5-8`), so a range is read from its last line back.
export function blamedMeasurement(error: string, composed: Composed, parts: Array<{measurement: string; probes: string[]}>): string | null {
  for (const part of parts) {
    if (part.probes.some((p) => error.includes(p) || error.includes(p.replace(/^(kretfunc|kfunc|fentry|fexit|kprobe|kretprobe|tracepoint):/, '')))) return part.measurement;
  }
  for (const m of error.matchAll(/(?:stdin|program):(\d+)(?:-(\d+))?/g)) {
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    for (let line = to; line >= from; line--) {
      const owner = composed.lineOwners[line - 1];
      if (owner) return owner;
    }
  }
  return null;
}

// The probe specifiers of a probe file's blocks (for blamedMeasurement).
export function probesOf(text: string): string[] {
  return parseBlocks(text).flatMap((b) => b.probes);
}
