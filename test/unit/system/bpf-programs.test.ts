import test from 'ava';
import {parseProgFdinfo} from '../../../src/system/bpf-programs.js';

// captured from a bpftrace 0.17 process on Linux 6.18 (a tracepoint program)
const PROG = `pos:\t0
flags:\t02000002
mnt_id:\t17
ino:\t1044
prog_type:\t5
prog_jited:\t1
prog_tag:\tc0b1a85fb75dc74b
memlock:\t4096
prog_id:\t8274
run_time_ns:\t0
run_cnt:\t0
recursion_misses:\t385
verified_insns:\t21
`;

test('fdinfo of a program fd: id, type, runs and recursion_misses', (t) => {
  t.deepEqual(parseProgFdinfo(PROG), {progId: 8274, progType: 5, runCount: 0, runTimeNs: 0, recursionMisses: 385});
});

test('fdinfo of a program on a kernel before 5.12: recursion_misses unknown, not 0', (t) => {
  t.is(parseProgFdinfo(PROG.replace(/recursion_misses.*\n/, ''))?.recursionMisses, null);
});

test('fdinfo of a file or a map: not a program', (t) => {
  t.is(parseProgFdinfo('pos:\t0\nflags:\t0100000\nmnt_id:\t24\nino:\t3\n'), null);
  t.is(parseProgFdinfo('pos:\t0\nmap_type:\t1\nkey_size:\t8\nmap_id:\t12\n'), null);
});

test('fdinfo of a bpf_link (bpftrace 0.27 holds one per attachment): names its program but is none, so it cannot hide the program\'s counts', (t) => {
  t.is(parseProgFdinfo('pos:\t0\nflags:\t02000000\nmnt_id:\t16\nino:\t1064\nlink_type:\tperf\nlink_id:\t31\nprog_tag:\ta04f5eef06a7f555\nprog_id:\t8274\n'), null);
});
