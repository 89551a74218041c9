// A JSON reader that keeps every member of an object, duplicates included.
// bpftrace prints two map keys that collide after ksym() as two members with the
// same name; JSON.parse would keep only the last one.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
// An object as its members in order, duplicates kept.
export type JsonObject = {entries: Array<[string, JsonValue]>};

// Parse one JSON text; objects become {entries}. Throws SyntaxError on bad input.
export function parseJsonEntries(text: string): JsonValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${i} of a ${text.length}-character line`);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const value = (): JsonValue => {
    ws();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === undefined) return fail('unexpected end of input');
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 40));
    if (!m) return fail(`unexpected character ${JSON.stringify(c)}`);
    i += m[0].length;
    return JSON.parse(m[0]) as JsonValue;
  };
  const string = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const array = (): JsonValue[] => {
    i++;
    const out: JsonValue[] = [];
    ws();
    if (text[i] === ']') return i++, out;
    for (;;) {
      out.push(value());
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === ']') return i++, out;
      return fail('expected , or ]');
    }
  };
  const object = (): JsonObject => {
    i++;
    const entries: Array<[string, JsonValue]> = [];
    ws();
    if (text[i] === '}') return i++, {entries};
    for (;;) {
      ws();
      if (text[i] !== '"') fail('expected a member name');
      const key = string();
      ws();
      if (text[i] !== ':') fail('expected :');
      i++;
      entries.push([key, value()]);
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') return i++, {entries};
      return fail('expected , or }');
    }
  };
  const result = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return result;
}

// True when v is an object read by parseJsonEntries.
export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// The first member named key, or undefined.
export function member(o: JsonObject, key: string): JsonValue | undefined {
  return o.entries.find(([k]) => k === key)?.[1];
}
