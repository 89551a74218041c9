// The registry: every measurement module, in display order. A new measurement is its module, its probe files and
// one line here.
import {connections} from './connections.js';
import {fourTuples} from './four-tuples.js';
import {portAllocation} from './port-allocation.js';
import {receiveLookup} from './receive-lookup.js';
import {slab} from './slab.js';
import {socketCreation} from './socket-creation.js';
import {timeWait} from './time-wait.js';
import type {KernelState} from '../bpftrace/kernel-state.js';
import type {MapDecl, Measurement, MeasurementModule, ProbeKind} from './types.js';

// Every measurement module, in display order.
export const REGISTRY = [connections, portAllocation, fourTuples, socketCreation, receiveLookup, slab, timeWait] as const;

// Every measurement's reading, by name (what the summary, the dashboard, metrics and report read).
export type Readings = {[M in (typeof REGISTRY)[number] as M['name']]: ReturnType<M['read']>};

// The kind of variant that served each measurement (null or absent: none, or not known).
export type KindsServed = Partial<Record<Measurement, ProbeKind | null>>;

// Every reading from the folded totals; `kinds` says which variant ran (function-probe fields are null otherwise).
export function readAll(k: KernelState, kinds: KindsServed = {}): Readings {
  return Object.fromEntries(REGISTRY.map((m) => [m.name, m.read(k, kinds[m.name] ?? null)])) as Readings;
}

// The kind that served each measurement in a plan (entries with a measurement and a kind).
export function kindsOf(plan: ReadonlyArray<{measurement: string; kind: ProbeKind | null}>): KindsServed {
  return Object.fromEntries(plan.map((p) => [p.measurement, p.kind]));
}

// The module of a measurement.
export function moduleOf(name: string): MeasurementModule<unknown> | undefined {
  return (REGISTRY as readonly MeasurementModule<unknown>[]).find((m) => m.name === name);
}

// The measurement that declares a map, and its declaration.
export function mapOwner(map: string): {measurement: Measurement; decl: MapDecl} | undefined {
  for (const m of REGISTRY as readonly MeasurementModule<unknown>[]) {
    const decl = m.maps.find((d) => d.name === map);
    if (decl) return {measurement: m.name, decl};
  }
  return undefined;
}

export type {MapDecl, Measurement, MeasurementModule, ProbeKind, ProcessGroup, VariantDecl, Need} from './types.js';
