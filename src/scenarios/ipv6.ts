// ipv6: the ramp over IPv6 (::1 to ::1): both ends counted exactly, ports per destination, slab per connection
// by cache (the IPv6 caches: TCPv6 in place of TCP), and the receive path IPv6's (tcp_v6_rcv: every TCP segment
// the namespace received was IPv6).
import type {Summary} from '../correlate/summary.js';
import {rampClaims, rampSteps} from './ramp.js';
import type {Claim, Scenario} from './types.js';

// Judge the claims (pure): the ramp's, and the IPv6 ones.
export function ipv6Claims(s: Summary): Claim[] {
  const byCache = s.slab.byCache ?? {};
  const rx = s.kernel.receive;
  const v6Rcv = s.kernel.functions.tcpV6Rcv;
  return [
    ...rampClaims(s),
    {
      claim: 'the socket memory is in the IPv6 caches: TCPv6 per connection, no TCP (IPv4) socket',
      held: (byCache.TCPv6 ?? 0) > 0 && !('TCP' in byCache),
      evidence: {byCache, source: s.slab.source},
    },
    {
      claim: "every TCP segment the namespace received took the IPv6 receive path (tcp_v6_rcv), none IPv4's",
      held: rx !== null && rx.byIpVersion.v6 > 0 && rx.byIpVersion.v4 === 0 && (v6Rcv === null || v6Rcv >= rx.byIpVersion.v6),
      // tcpV6Rcv: the kprobe variant's count of tcp_v6_rcv calls (null: the tracepoint variant, which reads each packet's IP version)
      // each null count with why (the report reads "not measured (why)")
      evidence: {
        byIpVersion: rx?.byIpVersion ?? null,
        tcpV6Rcv: v6Rcv, tcpV6RcvWhy: s.notMeasured['kernel.functions.tcpV6Rcv'] ?? null,
        tcpV4Rcv: s.kernel.functions.tcpV4Rcv, tcpV4RcvWhy: s.notMeasured['kernel.functions.tcpV4Rcv'] ?? null,
      },
    },
  ];
}

// The ipv6 scenario: the ramp, to ::1.
export const ipv6: Scenario = {
  drive: rampSteps,
  claims: (s) => ipv6Claims(s),
};
