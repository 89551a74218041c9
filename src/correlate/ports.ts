// Pure join of the kernel's connections with the generator's, by 4-tuple (local address, local port, remote
// address, remote port): connections from several client addresses that reuse a port number stay apart.
import type {ConnRecord} from '../load/protocol.js';
import {joinTuples, kernelTuples, TupleSet, type TupleJoin} from './tuple-set.js';

// How well the two sides agree, and the kernel's local (address, port) per destination port.
export type PortJoin = TupleJoin;

// Join the probes' @tuples keys ("family,daddr,dport,saddr,sport") with the generator's established 4-tuples.
export function joinPorts(kernelTupleKeys: string[], generator: TupleSet): PortJoin {
  return joinTuples(kernelTuples(kernelTupleKeys), generator);
}

// The established connections among records, as a set of 4-tuples.
export function tuplesOf(records: ConnRecord[]): TupleSet {
  const set = new TupleSet();
  for (const r of records) if (r.errno === null) set.add(r.laddr, r.lport, r.raddr, r.rport);
  return set;
}
