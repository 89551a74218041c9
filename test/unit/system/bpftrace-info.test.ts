// bpftrace's version, or why it gave none: fake bpftrace scripts standing for a broken or hung install.
import test, {type ExecutionContext} from 'ava';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {bpftraceVersion} from '../../../src/system/bpftrace-info.js';

// A shell script standing for bpftrace, removed after the test.
function fake(t: ExecutionContext, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tcp-trace-fake-bpftrace-'));
  t.teardown(() => rmSync(dir, {recursive: true, force: true}));
  const path = join(dir, 'bpftrace');
  writeFileSync(path, `#!/bin/sh\n${body}\n`, {mode: 0o755});
  return path;
}

test('a bpftrace printing its version gives it', async (t) => {
  const answer = await bpftraceVersion(fake(t, 'echo "bpftrace v0.23.2"'));
  t.like(answer, {version: {major: 0, minor: 23, patch: 2}});
});

test('a bpftrace that fails says its exit and stderr', async (t) => {
  const answer = await bpftraceVersion(fake(t, 'echo "libLLVM.so.19.1: cannot open shared object file" >&2; exit 127'));
  // its stderr alone: the caller names the command (`<path> --version gave no version (why)`)
  t.deepEqual(answer, {why: 'libLLVM.so.19.1: cannot open shared object file'});
});

test('a bpftrace printing no version says what it printed', async (t) => {
  const answer = await bpftraceVersion(fake(t, 'echo "usage: bpftrace [options]"'));
  t.deepEqual(answer, {why: 'it printed "usage: bpftrace [options]"'});
});

test('a bpftrace that does not answer is killed at the timeout and says so', async (t) => {
  const answer = await bpftraceVersion(fake(t, 'exec sleep 30'), 300);
  t.deepEqual(answer, {why: 'no answer in 0.3 s, killed'});
});
