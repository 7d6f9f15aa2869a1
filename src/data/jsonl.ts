/**
 * JSONL: one JSON object per line, read as a stream (the file's text is never held whole).
 * Blank lines are allowed; a line that is not valid JSON or not an object is an error naming the
 * file and line, or with `skipBad` is skipped and counted in one warning.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type SkipOptions, type SkippedItem, DataError, badItem, errorMessage, warnSkipped } from './dataReport.js';

export type JsonObject = { [key: string]: unknown };

export interface JsonlRecords {
  records: JsonObject[];
  /** 1-based line number of each record. */
  lines: number[];
  skipped: SkippedItem[];
}

/** Reads every object of a JSONL file. */
export async function readJsonl(path: string, options: SkipOptions = {}): Promise<JsonlRecords> {
  const records: JsonObject[] = [];
  const lines: number[] = [];
  const skipped: SkippedItem[] = [];
  const stream = createReadStream(path, { encoding: 'utf8' });
  let line = 0;
  try {
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      line++;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        badItem('readJsonl', { file: path, line, reason: `invalid JSON (${errorMessage(err)})` }, options, skipped);
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
        badItem('readJsonl', { file: path, line, reason: `expected a JSON object, got ${kind}` }, options, skipped);
        continue;
      }
      records.push(value as JsonObject);
      lines.push(line);
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`readJsonl: cannot read ${path}: ${errorMessage(err)}`);
  } finally {
    stream.destroy();
  }
  warnSkipped('readJsonl', 'lines', skipped, records.length + skipped.length, options);
  return { records, lines, skipped };
}
