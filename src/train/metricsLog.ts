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
  /** True when the text ended in an unterminated line, which was dropped. */
  torn: boolean;
}

/** Parses the text of a metrics log; `path` names it in errors. */
export function parseMetricsLog(text: string, path: string): MetricsLog {
  const lines = text.split('\n');
  const tail = lines.pop()!; // '' when the text ends with a newline
  const rows: MetricsLog['rows'] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new DataError(`${path} line ${i + 1}: invalid JSON (${(err as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DataError(`${path} line ${i + 1}: expected a JSON object`);
    const epoch = (value as Record<string, unknown>).epoch;
    if (!(typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 1)) {
      throw new DataError(`${path} line ${i + 1}: expected an integer "epoch" >= 1, got ${JSON.stringify(epoch)}`);
    }
    rows.push({ record: value as Record<string, unknown>, line: i + 1 });
  });
  return { rows, torn: tail.trim() !== '' };
}

/** The numeric fields of a record (null, the JSON of a non-finite number, is left out). */
export function numericFields(record: Record<string, unknown>): MetricsRow {
  const row: Record<string, number> = {};
  for (const [key, value] of Object.entries(record)) if (typeof value === 'number' && Number.isFinite(value)) row[key] = value;
  return row as MetricsRow;
}
