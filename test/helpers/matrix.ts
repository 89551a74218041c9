// What both matrix test files share: run inside a stock-kernel guest by scripts/kernel-matrix.mjs
// (TCP_TRACE_MATRIX=1), skipped elsewhere.
import test from 'ava';
import {readFileSync} from 'node:fs';
import {kernelSkipReason} from './kernel.js';

const inGuest = process.env.TCP_TRACE_MATRIX === '1';
// A serial test in the guest, a skipped one elsewhere.
export const matrixTest = inGuest && !kernelSkipReason ? test.serial : test.skip;
// Connections of the small runs.
export const N = 23;
// The guest's kernel release (uname -r).
export const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
// True from 6.10 on, where kmem_cache_alloc became a macro over kmem_cache_alloc_noprof (the 6.12 guest).
export const noprof = Number(kernel.split('.')[0]) * 100 + Number(kernel.split('.')[1]) >= 610;
// One kind a kernel past the two variant tests (kfunc with 0.17 on 6.1, kprobe with the newest on 6.12). Each guest
// runs one test file in 17 minutes at most under TCG; a test takes 2-4 minutes on one vCPU, so each file holds three.
export const oneKind = [noprof ? 'kprobe' : 'kfunc'] as const;
