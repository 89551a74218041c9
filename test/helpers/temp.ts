// A temporary folder for one test, removed when the test ends.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {ExecutionContext} from 'ava';

// Make a folder named after prefix; ava removes it after the test (pass or fail).
export function tempDir(t: ExecutionContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tcp-trace-${prefix}-`));
  t.teardown(() => rmSync(dir, {recursive: true, force: true}));
  return dir;
}
