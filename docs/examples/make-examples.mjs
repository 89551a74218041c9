#!/usr/bin/env node
// Make docs/examples/<scenario>/: a small real run of each scenario (as root, bpftrace installed, after `npm run build`)
// and its report. Keeps manifest.json, summary.json, samples.ndjson and connections.csv (what `tcp-trace report` reads),
// the report and the charts' specs and SVGs; PNGs are left out (they depend on the fonts here). Usage:
//   sudo flock /run/lock/tcp-trace-kernel.lock node docs/examples/make-examples.mjs [scenario ...]
//   node docs/examples/make-examples.mjs --report-only [scenario ...]   (no run, no root: the reports again from the
//   committed data, after a change to the report's code)
import {execFileSync} from 'node:child_process';
import {cpSync, mkdtempSync, readdirSync, rmSync, mkdirSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', '..', 'dist', 'src', 'index.js');

// Each scenario's run: small (seconds), the flags beside its defaults.
const RUNS = {
  // slow enough (10 s) for a dozen samples along the ramp: the slope of slab held against connections
  ramp: ['--connections', '3000', '--rate', '300', '--hold', '1'],
  'four-tuple': [],
  'port-exhaustion': [],
  'fd-limit': [],
  hello: ['--connections', '1000', '--rate', '250', '--hold', '1'],
  million: ['--connections', '5000', '--rate', '5000', '--hold', '1'],
  'bind-first': [],
  'accept-overflow': [],
  ipv6: ['--connections', '3000', '--rate', '300', '--hold', '1'],
  'one-port': [],
  'time-wait': [],
  'port-search': [],
};
const KEPT = ['manifest.json', 'summary.json', 'samples.ndjson', 'connections.csv'];

const reportOnly = process.argv.includes('--report-only');
const wanted = process.argv.slice(2).filter((a) => a !== '--report-only');
for (const name of wanted) if (!RUNS[name]) throw new Error(`unknown scenario ${name}: one of ${Object.keys(RUNS).join(', ')}`);

const scratch = mkdtempSync(join(tmpdir(), 'tcp-trace-examples-'));
try {
  for (const [scenario, flags] of Object.entries(RUNS)) {
    if (wanted.length && !wanted.includes(scenario)) continue;
    const dest = join(here, scenario);
    if (reportOnly) {
      report(dest);
      continue;
    }
    const out = join(scratch, scenario);
    process.stderr.write(`${scenario}: tcp-trace run ${scenario} ${flags.join(' ')}\n`);
    // from the scratch folder, so that the recorded command line reads `--out <scenario>`
    execFileSync(process.execPath, [bin, 'run', scenario, ...flags, '--headless', '--out', scenario], {cwd: scratch, stdio: ['ignore', 'ignore', 'inherit']});
    const [runName] = readdirSync(out);
    rmSync(dest, {recursive: true, force: true});
    mkdirSync(dest, {recursive: true});
    for (const file of KEPT) if (existsSync(join(out, runName, file))) cpSync(join(out, runName, file), join(dest, file));
    report(dest);
  }
} finally {
  rmSync(scratch, {recursive: true, force: true});
}

// The report of the run in `dest`, without its PNGs.
function report(dest) {
  execFileSync(process.execPath, [bin, 'report', dest], {stdio: ['ignore', 'ignore', 'inherit']});
  for (const file of readdirSync(join(dest, 'charts'))) if (file.endsWith('.png')) rmSync(join(dest, 'charts', file));
  process.stderr.write(`${join(dest, 'report.md')}\n`);
}

