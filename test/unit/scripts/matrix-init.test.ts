import test from 'ava';
import {execFileSync} from 'node:child_process';
import {join} from 'node:path';
import {ROOT} from '../../helpers/paths.js';

// The guest's init runs under busybox sh with no way to report a syntax error but a kernel panic.
test('the kernel-matrix guest init is valid sh', (t) => {
  t.notThrows(() => execFileSync('sh', ['-n', join(ROOT, 'scripts/matrix/init.sh')], {stdio: 'pipe'}));
});
