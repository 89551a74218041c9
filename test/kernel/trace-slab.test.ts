// trace's slab per connection for idle connections (issue 14, fault 11): 50 python3 connections made during the
// trace in a namespace the test makes, and held past its end, are each end one TCP socket and one socket inode.
import test from 'ava';
import {spawn} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';
import {jsonLines} from '../helpers/cli.js';
import {traceInNetns} from '../helpers/trace-netns.js';
import {journals, kernelSkipReason, objsize, toolProcesses} from '../helpers/kernel.js';
import {HOLD, PYTHON} from '../helpers/python-peers.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

kernelTest('trace --netns: 50 idle python3 connections held past the trace hold exactly 101 TCP sockets and socket inodes (50 + 50 ends and the listener)', async (t) => {
  const n = 50;
  const {ns, trace, out} = await traceInNetns(t, 'h-tslab');

  const peer = spawn('ip', ['netns', 'exec', ns, PYTHON, '-c', HOLD, '23620', String(n)], {stdio: ['pipe', 'pipe', 'inherit']});
  const peerExited = new Promise((resolve) => peer.once('exit', resolve));
  t.teardown(() => void peer.kill('SIGKILL'));
  // every call counted: the trace stops while the peer still holds its sockets (nothing freed during the trace)
  const seen = () => jsonLines(out()).some((l) => l.type === 'sample' && l.kernel.sockets === n + 1 && l.trace.kernel.syscalls?.socket === n + 1 && l.trace.kernel.syscalls?.accept === n);
  for (let i = 0; i < 300 && !seen(); i++) await sleep(100);
  trace.child.kill('SIGINT');
  const r = await trace.done;
  peer.stdin!.end();
  await peerExited;
  t.is(r.code, 0, r.stderr);
  const s = jsonLines(r.stdout).at(-1)!;
  t.deepEqual(s.kernel.established, {client: n, server: n});
  t.deepEqual(s.kernel.syscalls, {socket: n + 1, connect: n, accept: n});
  const misses = s.runs.slab.recursionMisses;
  t.log(JSON.stringify({runs: s.runs.slab, connections: s.slab.connections}));
  if (misses === 0) {
    // the connections' own caches: a TCP socket and a socket inode for each of 101 sockets, nothing freed; the
    // request socks were freed when the handshakes completed
    const sockets = 2 * n + 1;
    t.deepEqual(s.slab.connections.byCache, {TCP: sockets * objsize('TCP'), sock_inode_cache: sockets * objsize('sock_inode_cache')});
    t.is(s.slab.connections.heldBytes, sockets * (objsize('TCP') + objsize('sock_inode_cache')));
    t.is(s.slab.connections.bytesPerEndEstablished, Math.round((sockets * (objsize('TCP') + objsize('sock_inode_cache'))) / (2 * n)));
    t.false('slab.connections' in s.incomplete);
  } else {
    // a run the kernel skipped may have been one of these objects' allocations or frees: withheld, saying how many
    t.is(s.slab.connections, null);
    t.is(s.incomplete['slab.connections'], `slab: the kernel skipped ${misses} runs of its programs (recursion_misses: another BPF program was running on that CPU)`);
  }
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
});
