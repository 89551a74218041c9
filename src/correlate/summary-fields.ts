// The summary's fields, documented once: README's FIELDS tables are generated from these (scripts/readme.mjs).

// One row of a FIELDS table: the field paths (one starting with `.` is a sibling of the path before it:
// `connections.requested`, `.established`), the unit (empty: none), and the meaning, in markdown.
export type FieldDoc = {fields: string[]; unit: string; meaning: string};

// `tcp-trace run`'s summary (buildSummary in summary.ts, and what run.ts adds: faults, runDirectory, startupMs).
export const RUN_SUMMARY_FIELDS: FieldDoc[] = [
  {fields: ['scenario', 'claims'], unit: '', meaning: 'the experiment; `[{claim, held, evidence}]`'},
  {fields: ['connections.requested', '.established', '.accepted'], unit: 'connections', meaning: 'asked for; connects the generator saw succeed; accepts its servers saw'},
  {fields: ['connections.failed'], unit: 'connections by errno name', meaning: 'connects the generator saw fail (`{"EADDRNOTAVAIL": 1}`)'},
  {fields: ['connections.perSecond'], unit: 'connections/s', meaning: 'established / ramp duration (not counting the pause while the slab probe stops after its sample)'},
  {fields: ['connections.userBytesPerConnection'], unit: 'bytes/connection', meaning: "growth of the workers' anonymous resident memory (`RssAnon`: heap, handles) over the run, per connection (both ends)"},
  {fields: ['connections.workerFixedBytes'], unit: 'bytes', meaning: "anonymous resident memory of one worker when ready (the node binary's ~32 MiB of file pages are shared by all workers and not counted)"},
  {fields: ['kernel.established.client', '.server'], unit: 'connections', meaning: "SYN_SENT→ESTABLISHED to the run's server ports; SYN_RECV→ESTABLISHED on them"},
  {fields: ['kernel.syscalls.socket', '.connect', '.accept'], unit: 'calls', meaning: 'successful socket(); connect() calls (an EINPROGRESS start counts as success); accept4() returning a socket'},
  {fields: ['kernel.errors', 'kernel.limitsHit'], unit: 'calls by errno name; errno → limit', meaning: 'failed socket/connect/accept calls (EAGAIN on accept is not a failure); EADDRNOTAVAIL→ip_local_port_range, EMFILE→RLIMIT_NOFILE, ENFILE→fs.file-max, ENOMEM/ENOBUFS→memory'},
  {fields: ['kernel.latency.socket', '.connect'], unit: 'ns', meaning: '`count`, `p50Ns`, `p99Ns` (upper bound of the log2 bucket; the lower bound where it lands in an open-ended one, and then `p50AtLeast` / `p99AtLeast` are true), `openBuckets` (calls whose value is only bounded below: bpftrace 0.17-0.19 print every value of 2^31 ns or more in one bucket; connect() keeps those in a millisecond histogram, so it has none)'},
  {fields: ['kernel.histograms.socketNs', '.connectNs'], unit: 'ns buckets', meaning: '`[{min, max, count}]`; `max: null` is an open-ended bucket (at least `min`)'},
  {fields: ['kernel.receive.tcpSegments', '.packets'], unit: 'segments, packets', meaning: "received on the lab's loopback (each TCP segment is one established-hash lookup)"},
  {fields: ['kernel.functions'], unit: 'counts, ns', meaning: 'kfunc/kprobe variants only (null otherwise): `hashConnectCalls`, `hashConnectOk`, `hashConnectErrors`, `checkEstablished` (`__inet_check_established` calls), `attemptsPerConnect`, `hashConnectLatency`, `bindPorts`, `sockAlloc`, `sockAllocInode`, `sockAllocLatency`, `tcpV4Rcv`, `lookups`, `lookupsByCaller`, `lookupLatency`'},
  {fields: ['kernel.lostEvents'], unit: 'events', meaning: 'events bpftrace reported lost'},
  {fields: ['ports.server', 'ports.range'], unit: 'ports', meaning: "the run's server ports; the lab's `ip_local_port_range` (`low`, `high`, `size`)"},
  {fields: ['ports.perDestination'], unit: 'ports by server port', meaning: 'distinct local ports the kernel gave connections to each server port'},
  {fields: ['ports.parity'], unit: 'ports', meaning: 'chosen local ports by parity (connect() prefers even ones since 4.6)'},
  {fields: ['ports.correlation'], unit: 'connections', meaning: '(server port, local port) pairs seen by both (`matched`), only the kernel, only the generator'},
  {fields: ['slab.source'], unit: '', meaning: '`tracepoint` (a slab probe ran) or `slabinfo` (fallback)'},
  {fields: ['slab.sampledConnections'], unit: 'connections', meaning: 'when the slab probe stopped after a sample (`--slab-sample`): the connections it measured; null when it measured the whole run'},
  {fields: ['slab.bytesPerConnection.tracepoint', '.slabinfo'], unit: 'bytes/connection', meaning: "slab held (allocated − freed) by the lab's tasks, over the connections the probe measured; `/proc/slabinfo` growth of the same caches over all established connections; both ends"},
  {fields: ['slab.byCache'], unit: 'bytes/connection by cache', meaning: "≥ 8 B/connection (the probe's connections); SLUB merges caches, so a name can be the cache another was merged into"},
  {fields: ['slab.slabinfoByCache'], unit: 'bytes/connection by cache', meaning: "the same caches' growth in `/proc/slabinfo` (generic caches such as dentry and filp also move with the rest of the host)"},
  {fields: ['slab.meminfoSlabDeltaBytes'], unit: 'bytes', meaning: 'growth of `Slab:` in `/proc/meminfo` (the whole host)'},
  {fields: ['probePlan.<measurement>', 'probeFailures'], unit: '', meaning: '`kind` (kfunc, kprobe, tracepoint or null), `file`, `why`; measurements left without a program'},
  {fields: ['limits', 'lab'], unit: '', meaning: "limits read before the run; the namespace's name, inode and port range"},
  {fields: ['stoppedBy', 'runDirectory'], unit: '', meaning: 'null, `SIGINT`, `SIGTERM`, `SIGHUP`, the memory guard or `fault: <part>`; where the files are'},
  {fields: ['faults[]'], unit: 'ms', meaning: "`{part, atMs, why, missing, measurement?}`: each part that failed mid-run (a worker, a bpftrace program, the run directory's disk, memory); a lost measurement's fields read `lost at 12.3 s: why`"},
  {fields: ['durationMs', 'startupMs'], unit: 'ms', meaning: "from the command's start to the summary; of it, the start-up before the ramp began (lab, workers, probes attached)"},
  {fields: ['warnings'], unit: 'lines', meaning: 'what makes a number wrong, each naming the measurement and the numbers: a map full at its key limit (`portAllocation: @ports full at 4096 keys: new keys were dropped; port counts per destination and the 4-tuple correlation are low`), a BPF helper error, bpftrace output that is not JSON, a bpftrace version with a defect the tool cannot work around; also printed as `note`s when they appear'},
  {fields: ['incomplete'], unit: 'field → why', meaning: 'the fields above withheld (`null`) because a warning makes them wrong: a number the tool cannot stand behind is never printed as if it were right'},
];

// `tcp-trace trace`'s summary and samples: the fields it adds to run's, or has with another meaning (trace.ts).
export const TRACE_SUMMARY_FIELDS: FieldDoc[] = [
  {fields: ['kernel.latency.connect', '.socket', 'kernel.histograms.*'], unit: 'ns', meaning: 'as above; a connect() of 2^31 ns (2.1 s) or more (SYN retransmissions) is counted in its millisecond bucket converted to ns (`{"min": 2048000000, "max": 4095999999}`); `openBuckets` counts calls in a bucket bounded on one side (`max` null)'},
  {fields: ['kernel.errors'], unit: 'calls by errno name', meaning: 'failures; the kernel-internal restart codes 512-516 are not among them'},
  {fields: ['limitsHit.<errno>'], unit: '', meaning: "`limit` each error points at and the `evidence`: EADDRNOTAVAIL is `ip_local_port_range` only when the namespace's ephemeral ports toward one destination were all in use at the end (`ss`), else `4-tuple in use` (a bound local port connected again to the same address and port); `limit` null with why when the sockets could not be read"},
  {fields: ['kernel.bind'], unit: 'calls', meaning: 'bind() calls of the traced processes: `ok`, `failed` by errno name (bind(ip, 0) with the range taken: EADDRINUSE); its failures are in `kernel.errors` too'},
  {fields: ['kernel.unmatchedReturns'], unit: 'calls', meaning: '`connect`, `accept`: returns whose entry came before the probes attached (a server blocked in accept() when the trace began); counted in `syscalls`/`errors`, without a latency'},
  {fields: ['kernel.restarts'], unit: 'calls by code name', meaning: 'syscalls that returned `ERESTARTSYS` (512) … `ERESTART_RESTARTBLOCK` (516): interrupted by a signal (a blocked accept() of a process killed), restarted or turned into EINTR; never seen by the program'},
  {fields: ['kernel.receive.byIpVersion'], unit: 'segments', meaning: '`v4`, `v6`: TCP segments received in the namespace by IP version (`tcpSegments` is both)'},
  {fields: ['runs.<measurement>'], unit: 'programs, runs', meaning: "the measurement's BPF programs (from `/proc/PID/fdinfo` of its bpftrace): `recursionMisses` (runs the kernel skipped because another BPF program was running on that CPU; Linux 5.12+, tracepoints from 6.7; null where the kernel does not say), `eventsMissed` (the same without the interval program's), `runCount` (null unless `kernel.bpf_stats_enabled` is 1)"},
  {fields: ['incomplete'], unit: 'field → why', meaning: "numbers withheld (null) because of a full map, a helper error or runs the kernel skipped (`\"kernel.receive\": \"receiveLookup: the kernel skipped 385 runs …\"`); `warnings` says the same in words. The slab probe's frees are often skipped (an RCU free nested in a running program): `slab.heldBytesByCache` is then null"},
  {fields: ['fourTuples', 'localsPerDestination'], unit: 'connections, local endpoints', meaning: 'every connection the traced connects made, by its 4-tuple (`{local: "127.0.0.2:45000", remote: "127.0.0.1:8080"}`; printed when the probes stop; IPv6 addresses keep only their last 32 bits: `[*:0:1]` for ::1), and distinct local (address, port) per destination: client addresses that reuse a port number stay apart, where `ports.pairs` merges them'},
  {fields: ['slab.connections'], unit: 'bytes', meaning: "slab of the traced connections' own caches only (`TCP`, `TCPv6`, `sock_inode_cache`, `request_sock_TCP(v6)`, `tw_sock_TCP(v6)`), allocated by tasks in the namespace during the trace and still held at its end: `heldBytes`, `byCache`, `bytesPerEndEstablished` (over the connection ends established during the trace), `includes` (this, in words). `slab.heldBytesByCache` is every cache those tasks allocated from (an interpreter starting counts there). Both null, with why, when the kernel skipped runs of the slab program (here it always did: 19-57 skipped runs per trace)"},
  {fields: ['namespace.limits.ephemeralPorts'], unit: 'ports', meaning: "the traced namespace's `ip_local_port_range` (`low`, `high`), `reserved` (its `ip_local_reserved_ports` inside the range) and `size` (the ports connect() can choose); the dashboard's ports panel divides by this"},
  {fields: ['namespace.limits.tcpEhash'], unit: 'buckets', meaning: "`entries` (the namespace's `tcp_ehash_entries`), `sharedWithHost` (true: the host's table; the namespace was made with `tcp_child_ehash_entries` 0), `childEntries`"},
  {fields: ['namespace.counters'], unit: 'events', meaning: "growth over the trace of the namespace's `TcpExt.ListenOverflows`, `ListenDrops`, `TCPSynRetrans`, `TCPTimeouts`, `TW`, `Tcp.ActiveOpens`, `PassiveOpens`, `AttemptFails`, `EstabResets`, `InSegs`, `OutSegs`, `RetransSegs` (`/proc/net/netstat`, `/proc/net/snmp` read in the namespace; null where absent)"},
  {fields: ['namespace.tcpSockets.start', '.end'], unit: 'sockets, pages', meaning: "`/proc/net/sockstat`'s TCP line: `inuse`, `tw` are the namespace's; `orphan`, `memPages` count every namespace"},
  {fields: ['namespace.bufferMemory.start', '.end'], unit: 'sockets, bytes', meaning: "the namespace's TCP sockets but listeners (`ss -tanm`): `unreadBytes` (Recv-Q), `unsentBytes` (Send-Q), `chargedBytes` (receive + send queues + reserved: skmem r + w + f), `chargedBytesPerSocket`; `hostSockstatMem` (`pages`, `bytes`): sockstat's TCP `mem`, all namespaces. Buffer memory is not slab"},
];
