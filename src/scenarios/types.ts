// What a scenario is: load steps driven through the generator, and claims checked on the summary.
import type {Generator} from '../load/generator.js';
import type {Summary} from '../correlate/summary.js';
import type {KernelState} from '../bpftrace/kernel-state.js';
import type {MemorySnapshot} from '../system/memory.js';
import type {SocketBuffers, TcpSockstat} from '../system/netns-parse.js';
import type {KindsServed} from '../measurements/index.js';

// A claim from the articles, whether this run held it, and the numbers that say so.
export type Claim = {claim: string; held: boolean; evidence: Record<string, unknown>};

// What a scenario's steps may use.
export type ScenarioContext = {
  generator: Generator;
  connections: number;
  ports: number[];
  // the lab namespace's ip_local_port_range, where the scenario set one
  portRange?: {low: number; high: number};
  host: string;
  nofile?: number;
  // the servers' listen() backlog, where the scenario set one
  backlog?: number;
  // the lab namespace's TCP counters now ("TcpExt.ListenOverflows": n, ...: /proc/net/netstat and snmp, read inside it)
  netnsCounters?: () => Promise<Record<string, number>>;
  // a sysctl as the lab namespace has it (null: this kernel has no such sysctl)
  sysctl?: (key: string) => Promise<string | null>;
  // set a sysctl of the lab namespace (a per-namespace one: it goes away with the namespace)
  setSysctl?: (key: string, value: string) => Promise<void>;
  // the lab namespace's /proc/net/sockstat TCP line (inuse, tw: its own), read by a `cat` inside it (no socket made)
  sockstat?: () => Promise<TcpSockstat | null>;
  // the kind of probe that serves each measurement (function-probe fields of a reading are null otherwise)
  measuredBy?: KindsServed;
  // resolves when the user or a guard asks to stop
  stopped: Promise<void>;
  // the kernel's latest totals, once every probe has printed `ticks` more times
  kernelAfterTicks: (ticks: number) => Promise<KernelState>;
  memory: () => Promise<MemorySnapshot>;
  // the lab namespace's TCP socket buffers (unread, unsent, charged bytes), read inside it; null where unreadable
  buffers?: () => Promise<SocketBuffers | null>;
  note: (text: string) => void;
  // time the steps spent waiting on the kernel rather than making connections (ms): left out of the establish rate
  notRamping?: (ms: number) => void;
  setPhase: (phase: 'ramping' | 'holding') => void;
  // the slab probe measures the first `connections` only: the ramp stops there and calls freeze, which waits
  // until the servers accepted them all and stops the probe
  slabSample?: {connections: number; freeze: () => Promise<void>};
};

// What a scenario's steps measured beyond the common summary.
export type StepResult = Record<string, unknown>;

// One scenario.
export type Scenario = {
  // run the load steps; resolves early when ctx.stopped does
  drive: (ctx: ScenarioContext) => Promise<StepResult>;
  // judge the claims from the summary and the steps' result (pure)
  claims: (summary: Summary, steps: StepResult) => Claim[];
};
