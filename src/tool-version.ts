// The tool's own version, from its package.json (one read, cached).
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

let cached: string | null = null;

// The version in package.json ("0.1.0"); throws when the package's package.json cannot be read.
export function toolVersion(): string {
  cached ??= (JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as {version: string}).version;
  return cached;
}
