// one-port: one server ip:port holds more connections than the port range has ports: each client address
// (127.0.0.2, .3, ...) has the whole range to itself, so N connections from 4 addresses go to ONE server port,
// accepted by several server processes sharing its one listening socket (the fd limit is per process).
import type {Summary} from '../correlate/summary.js';
import type {Claim, Scenario} from './types.js';
import {rampByTenths, rateCollapse, rateRows, type RampTenth} from './ramp-tenths.js';

type Steps = {clientAddresses: string[]; acceptedByServer: number[]; tenths: RampTenth[]};

// Judge the claims (pure).
export function onePortClaims(s: Summary, steps: Steps): Claim[] {
  const n = s.connections.established;
  const range = s.ports.range.size;
  const byAddress = s.ports.localPortsByAddress ?? {};
  const accepted = steps.acceptedByServer.reduce((a, b) => a + b, 0);
  const rows = rateRows(steps.tenths, steps.clientAddresses.length, range);
  const missing = steps.tenths.find((t) => !t.kernel);
  return [
    {
      claim: `${n} connections to one server ip:port, more than the range's ${range} ports: the kernel counts each on both ends`,
      held: n > range && s.ports.server.length === 1 && s.kernel.established?.client === n && s.kernel.established?.server === n,
      evidence: {serverPort: s.ports.server, established: n, range, kernelEstablished: s.kernel.established},
    },
    {
      claim: `each of the ${steps.clientAddresses.length} client addresses uses at most the range's ${range} ports`,
      held: Object.keys(byAddress).sort().join() === [...steps.clientAddresses].sort().join() && Object.values(byAddress).every((p) => p <= range),
      evidence: {localPortsByAddress: byAddress, range},
    },
    {
      claim: 'no two connections share a 4-tuple: the kernel saw as many distinct 4-tuples as connections',
      held: n > 0 && s.ports.fourTupleCount === n,
      evidence: {fourTuples: s.ports.fourTupleCount, connections: n},
    },
    {
      claim: `${steps.acceptedByServer.length} server processes accept on the one listening socket, all the connections between them`,
      held: steps.acceptedByServer.length > 1 && accepted === n && s.kernel.syscalls?.accept === n,
      evidence: {acceptedByProcess: steps.acceptedByServer, kernelAccepts: s.kernel.syscalls?.accept},
    },
    {
      // inet_csk_get_port() searches for a port free at that address: the cost shows as bind() latency by tenth
      claim: 'each connect bound (ip, 0) first and the kernel found it a port: one bind() per connect in every tenth of the ramp, none failed',
      held: steps.tenths.length > 0 && !missing && steps.tenths.every((t) => t.kernel!.bindOk === t.attempted && Object.keys(t.kernel!.bindErrors).length === 0),
      evidence: {byTenth: rows, rateCollapse: rateCollapse(rows), incomplete: missing?.kernelMissing ?? null},
    },
  ];
}

// The one-port scenario: the ramp, each connection bound first to one of the client addresses in turn.
export const onePort: Scenario = {
  drive: async (ctx) => {
    const {tenths} = await rampByTenths(ctx, true);
    return {clientAddresses: ctx.generator.options.clientAddresses ?? [], acceptedByServer: ctx.generator.acceptedByServer(), tenths} satisfies Steps;
  },
  claims: (s, steps) => onePortClaims(s, steps as Steps),
};
