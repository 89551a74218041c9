// Errors that end a command with one line naming the bad value and the fix.

// Bad input from the user (flags, scenario names, ranges): exit code 2.
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

// A precondition of the host is not met (not root, bpftrace missing): exit code 1.
export class PreconditionError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'PreconditionError';
  }
}

// The exit code an error maps to: 2 for usage, 1 for everything else.
export function exitCodeOf(error: unknown): number {
  if (error && typeof error === 'object' && 'exitCode' in error && typeof error.exitCode === 'number') {
    return error.exitCode;
  }
  return 1;
}
