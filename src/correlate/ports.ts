// Pure join of the kernel's (server port, local port) pairs with the generator's connections.
import type {ConnRecord} from '../load/protocol.js';

// How well the two sides agree, and ports used per destination.
export type PortJoin = {matched: number; onlyKernel: number; onlyGenerator: number; portsPerDestination: Record<string, number>; parity: {even: number; odd: number}};

// Join kernel pairs "rport,lport" (from @ports) with the generator's established connections.
export function joinPorts(kernelPairs: string[], records: ConnRecord[]): PortJoin {
  const kernel = new Set(kernelPairs);
  const generator = new Set(records.filter((r) => r.errno === null).map((r) => `${r.rport},${r.lport}`));
  let matched = 0;
  for (const k of kernel) if (generator.has(k)) matched++;
  const portsPerDestination: Record<string, number> = {};
  const parity = {even: 0, odd: 0};
  for (const pair of kernel) {
    const [rport, lport] = pair.split(',');
    portsPerDestination[rport!] = (portsPerDestination[rport!] ?? 0) + 1;
    if (Number(lport) % 2 === 0) parity.even++;
    else parity.odd++;
  }
  return {matched, onlyKernel: kernel.size - matched, onlyGenerator: generator.size - matched, portsPerDestination, parity};
}
