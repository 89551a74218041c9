// Errors that end a command with one line naming the bad value and the fix.

// Bad input from the user (flags, scenario names, ranges): exit code 2.
// Its message is one line whatever the user typed: control characters in a value show escaped (\n, \u0000).
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1)));
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

// Write a line to stderr, or drop it when stderr is gone (a closed terminal fails every write with EIO):
// the undo that follows a message must never depend on the message getting out.
export function warnLine(text: string): void {
  try {
    process.stderr.write(`${text}\n`);
  } catch {
    // nowhere to say it
  }
}
