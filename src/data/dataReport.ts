/**
 * Errors and skip reports shared by the data readers. A bad file or line is either an error (one
 * line that names the file, and the line where there is one) or, with `skipBad: true`, skipped and
 * counted in a single warning.
 */

/** A data file that is missing, malformed or inconsistent. The message is one line naming the file. */
export class DataError extends Error {
  override name = 'DataError';
}

/** One skipped file or line. */
export interface SkippedItem {
  file: string;
  /** 1-based line number, for line-oriented formats. */
  line?: number;
  reason: string;
}

/** Options shared by the readers that can skip bad items. */
export interface SkipOptions {
  /** Skip bad files/lines (counted in one warning) instead of throwing; default false. */
  skipBad?: boolean;
  /** Receives the one-line warning about skipped items; default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** `file[ line N]: reason`. */
export function describeItem(item: SkippedItem): string {
  return `${item.file}${item.line === undefined ? '' : ` line ${item.line}`}: ${item.reason}`;
}

/** Throws for a bad item, or records it when skipping. */
export function badItem(fn: string, item: SkippedItem, options: SkipOptions, skipped: SkippedItem[]): void {
  if (!options.skipBad) throw new DataError(`${fn}: ${describeItem(item)}`);
  skipped.push(item);
}

/** Emits one warning counting the skipped items (nothing when none were skipped). */
export function warnSkipped(fn: string, what: string, skipped: SkippedItem[], total: number, options: SkipOptions): void {
  if (skipped.length === 0) return;
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  warn(`${fn}: skipped ${skipped.length} of ${total} ${what} (first: ${describeItem(skipped[0])})`);
}

/** The message of an unknown thrown value, on one line. */
export function errorMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
