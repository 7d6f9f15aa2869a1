/** An error the CLI reports as one line (no stack trace) before exiting non-zero. */
export class UsageError extends Error {
  override name = 'UsageError';
}
