/**
 * The metrics log of a run, `metrics.jsonl`: one JSON object per finished epoch, appended. An
 * append cut short (a full disk, a kill during the write) leaves a last line without its newline;
 * that torn line is dropped, as a line repeated by a resumed epoch is. Any other line that is not
 * a JSON object with an integer `epoch` >= 1 is an error naming the file and line.
 */
import { DataError } from '../data/dataReport.js';

export type MetricsRow = { epoch: number } & Record<string, number>;

export interface MetricsLog {
  /** The records in file order, with their 1-based line numbers. */
  rows: { record: Record<string, unknown>; line: number }[];
  /** True when the text ended in an unterminated line that is not a whole record (dropped). */
  torn: boolean;
  /** True when the text does not end with a newline (an append must rewrite the log first). */
  unterminated: boolean;
}

/** The record of a line, or an error message. */
function parseLine(raw: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return `invalid JSON (${(err as Error).message})`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object';
  const epoch = (value as Record<string, unknown>).epoch;
  if (!(typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 1)) return `expected an integer "epoch" >= 1, got ${JSON.stringify(epoch)}`;
  return value as Record<string, unknown>;
}

/**
 * Parses the text of a metrics log; `path` names it in errors. An unterminated last line is kept
 * when it is a whole record, dropped (`torn`) when it is not.
 */
export function parseMetricsLog(text: string, path: string): MetricsLog {
  const lines = text.split('\n');
  const tail = lines.pop()!; // '' when the text ends with a newline
  const rows: MetricsLog['rows'] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const record = parseLine(raw);
    if (typeof record === 'string') throw new DataError(`${path} line ${i + 1}: ${record}`);
    rows.push({ record, line: i + 1 });
  });
  const last = tail.trim() === '' ? undefined : parseLine(tail);
  if (typeof last === 'object') rows.push({ record: last, line: lines.length + 1 });
  return { rows, torn: typeof last === 'string', unterminated: tail !== '' };
}

/** The numeric fields of a record (null, the JSON of a non-finite number, is left out). */
export function numericFields(record: Record<string, unknown>): MetricsRow {
  const row: Record<string, number> = {};
  for (const [key, value] of Object.entries(record)) if (typeof value === 'number' && Number.isFinite(value)) row[key] = value;
  return row as MetricsRow;
}
