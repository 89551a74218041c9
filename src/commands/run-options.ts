// Pure validation of `tcp-trace run` flags into the experiment's parameters.
import {UsageError} from '../errors.js';
import {portRange, positiveInt, probeKind, seconds} from '../options.js';
import {minPorts} from '../load/shares.js';
import {MEASUREMENTS, type Measurement, type ProbeKind} from '../probes/catalog.js';

// The scenarios this build runs.
export const SCENARIOS = ['ramp'] as const;

// A validated run.
export type RunOptions = {
  scenario: string;
  connections: number;
  ports: number[];
  holdS: number;
  ratePerSec: number;
  concurrency: number;
  portRange?: {low: number; high: number};
  probes?: ProbeKind;
  headless: boolean;
  perWorker: number;
  measure: Measurement[];
};

// "connections,slab" -> those measurements; every one when absent; `none` for the generator alone.
export function measurements(value: string | undefined): Measurement[] {
  if (value === undefined) return [...MEASUREMENTS];
  if (value === 'none') return [];
  const list = value.split(',').map((s) => s.trim());
  const bad = list.find((m) => !(MEASUREMENTS as string[]).includes(m));
  if (bad !== undefined) throw new UsageError(`Unknown measurement \`${bad}\` in \`--measure\`: choose from ${MEASUREMENTS.join(', ')}, or none`);
  return list as Measurement[];
}

// Sockets one worker process holds at most: below the 20 000 hard fd limit seen on these hosts.
export const PER_WORKER = 15_000;

// Validate flags; every error names the flag, the value and the fix.
export function runOptions(values: Record<string, string | boolean | undefined>, positionals: string[]): RunOptions {
  const scenario = positionals[0] ?? 'ramp';
  if (!(SCENARIOS as readonly string[]).includes(scenario)) {
    throw new UsageError(`Unknown scenario \`${scenario}\`: choose one of ${SCENARIOS.join(', ')}`);
  }
  if (positionals.length > 1) throw new UsageError(`\`tcp-trace run\` takes one scenario, got \`${positionals.join(' ')}\``);
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const connections = positiveInt('--connections', str('connections'), 20_000, 1, 2_000_000);
  const needed = minPorts(connections, PER_WORKER);
  const portCount = positiveInt('--ports', str('ports'), Math.max(4, needed), 1, 1000);
  if (portCount < needed) {
    throw new UsageError(`\`--ports ${portCount}\` is too few for ${connections} connections: one server process holds at most ${PER_WORKER} sockets; use --ports ${needed} or more`);
  }
  const basePort = positiveInt('--base-port', str('base-port'), 12_000, 1, 65_535);
  if (basePort + portCount - 1 > 65_535) {
    throw new UsageError(`\`--base-port ${basePort}\` with --ports ${portCount} goes past port 65535: use a lower --base-port`);
  }
  return {
    scenario,
    connections,
    ports: Array.from({length: portCount}, (_, i) => basePort + i),
    holdS: seconds('--hold', str('hold'), 3),
    ratePerSec: positiveInt('--rate', str('rate'), 10_000, 1, 1_000_000),
    concurrency: positiveInt('--concurrency', str('concurrency'), 256, 1, 10_000),
    portRange: portRange('--port-range', str('port-range')),
    probes: probeKind(str('probes')),
    headless: values.headless === true,
    perWorker: PER_WORKER,
    measure: measurements(str('measure')),
  };
}
