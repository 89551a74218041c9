// Resident memory of this process for the workers' reports.

// Bytes resident now; 0 when it cannot be read (at RLIMIT_NOFILE, reading /proc fails with EMFILE).
export function rss(): number {
  try {
    return process.memoryUsage.rss();
  } catch {
    return 0;
  }
}
