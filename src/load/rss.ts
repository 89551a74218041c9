// Private memory of this process for the workers' reports.
import {readFileSync} from 'node:fs';

// Anonymous resident bytes (RssAnon: heap, stacks, handles): what a worker costs on its own. The node
// binary's file pages (~32 MiB of RSS) are shared by every worker and not counted. 0 when /proc cannot be
// read (at RLIMIT_NOFILE, opening it fails with EMFILE).
export function rss(): number {
  try {
    const kb = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? process.memoryUsage.rss() : Number(kb) * 1024;
  } catch {
    return 0;
  }
}
