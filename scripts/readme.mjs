#!/usr/bin/env zx
// readme.mjs  Rewrites README.md's generated sections in place: each command's flags (src/flags.ts) and the
// summary's FIELDS (src/correlate/summary-fields.ts), between their `<!-- name -->` / `<!-- /name -->` markers.
// Usage: npx zx scripts/readme.mjs [--no-build] (it builds first: the sections come from dist/)
// test/unit/readme.test.ts fails when README.md differs from what this writes.
import {readFileSync, writeFileSync} from 'node:fs';
import {join, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';

$.verbose = false;
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
if (argv.build !== false) await $({cwd: repo})`npx tsc -p tsconfig.json`;
const {regenerateReadme} = await import(join(repo, 'dist/src/readme-sections.js'));
const path = join(repo, 'README.md');
const before = readFileSync(path, 'utf8');
const {text, missing} = regenerateReadme(before);
if (missing.length > 0) {
  echo(`readme: README.md has no markers for ${missing.join(', ')}: add <!-- NAME --> and <!-- /NAME --> lines where each belongs`);
  process.exitCode = 1;
}
if (text === before) echo('readme: README.md is up to date');
else {
  writeFileSync(path, text);
  echo('readme: README.md rewritten');
}
