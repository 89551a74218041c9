// Paths of the built project, for tests that run the real CLI.
import {fileURLToPath} from 'node:url';
import {join} from 'node:path';

// The repository root (tests run from dist/test/...).
export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
// The built bin.
export const BIN = join(ROOT, 'dist', 'src', 'index.js');
// Test fixtures (not compiled: read from the source tree).
export const FIXTURES = join(ROOT, 'test', 'fixtures');
