// The attempts a client worker has not sent yet, in flat arrays (no object per connection), and the batch
// message they become: connections.csv rows, the established 4-tuples and the errno counts. An established bare
// handle's local name (getsockname) is read when the batch is taken, off the connect path. The bench's
// bare-handles client uses the same class (scripts/bench/tcp-wrap-bench.mjs --records) to price the records.
import type {ConnBatch} from './protocol.js';
import type {TcpHandle} from './uv-tcp.js';
import {connectionCsvLine} from '../record/format.js';

// getsockname writes into this one object
const name: {address?: string; port?: number} = {};

// Pending attempts of one worker; take() empties them into one batch.
export class RecordBatch {
  private readonly handles: Array<TcpHandle | null> = [];
  private readonly laddrs: string[] = [];
  private readonly lports: number[] = [];
  private readonly raddrs: string[] = [];
  private readonly rports: number[] = [];
  private readonly connectNs: number[] = [];
  private readonly atMs: number[] = [];
  private readonly errnos: Array<string | null> = [];
  private replies: Record<number, string> | undefined;

  // worker: the worker's number, the first column of each row
  constructor(private readonly worker: number) {}

  // Attempts pending.
  get size(): number {
    return this.errnos.length;
  }

  // One attempt. handle: an established handle whose local name is read at take() (null: laddr and lport are
  // already known, or the attempt failed: '' and 0); connectNs and atMs in ns and ms; errno null when it
  // established; reply: what the server answered (payload ramps).
  push(handle: TcpHandle | null, laddr: string, lport: number, raddr: string, rport: number, connectNs: number, atMs: number, errno: string | null, reply?: string): void {
    if (reply !== undefined) (this.replies ??= {})[this.errnos.length] = reply;
    this.handles.push(handle);
    this.laddrs.push(laddr);
    this.lports.push(lport);
    this.raddrs.push(raddr);
    this.rports.push(rport);
    this.connectNs.push(connectNs);
    this.atMs.push(atMs);
    this.errnos.push(errno);
  }

  // The pending attempts as one batch message's fields (local names read now); empties the batch.
  take(): ConnBatch {
    const addresses: string[] = [];
    const index = new Map<string, number>();
    const addressIndex = (a: string) => {
      let i = index.get(a);
      if (i === undefined) {
        i = addresses.push(a) - 1;
        index.set(a, i);
      }
      return i;
    };
    const tuples: number[] = [];
    const failed: Record<string, number> = {};
    let csv = '';
    const count = this.errnos.length;
    for (let i = 0; i < count; i++) {
      const handle = this.handles[i];
      let laddr = this.laddrs[i]!;
      let lport = this.lports[i]!;
      if (handle) {
        name.address = '';
        name.port = 0;
        handle.getsockname(name);
        laddr = name.address ?? '';
        lport = name.port ?? 0;
      }
      const errno = this.errnos[i]!;
      csv += connectionCsvLine(this.worker, laddr, lport, this.raddrs[i]!, this.rports[i]!, this.connectNs[i]!, errno, this.atMs[i]!);
      if (errno === null) tuples.push(addressIndex(laddr), lport, addressIndex(this.raddrs[i]!), this.rports[i]!);
      else failed[errno] = (failed[errno] ?? 0) + 1;
    }
    const replies = this.replies;
    for (const list of [this.handles, this.laddrs, this.lports, this.raddrs, this.rports, this.connectNs, this.atMs, this.errnos]) list.length = 0;
    this.replies = undefined;
    return {count, csv, addresses, tuples, failed, ...(replies ? {replies} : {})};
  }
}
