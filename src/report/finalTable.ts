/**
 * The table of final metrics: one row per run, one column per scalar field of any run's
 * `final.json` (the usual metrics first), values formatted for reading.
 */
import { type RunData } from './runReader.js';

/** Columns shown first, in this order, when present. */
export const FINAL_COLUMNS = ['knn_top1', 'knn_top5', 'linear_probe_top1', 'test_top1', 'alignment', 'uniformity', 'epochs', 'seconds'];

/** Columns where the largest value is best (marked in the table). */
const HIGHER_IS_BETTER = /(top[1-9]\d*|recall@\d+|mrr@\d+|ndcg@\d+)$/;

export interface FinalTable {
  columns: string[];
  rows: { run: string; cells: string[]; best: boolean[] }[];
}

/** A number for a table: integers as they are, other values to 4 significant digits. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : Number(value.toPrecision(4)).toString();
  return String(value);
}

function isScalar(value: unknown): value is number | string | boolean {
  return ['number', 'string', 'boolean'].includes(typeof value);
}

export function finalTable(runs: RunData[]): FinalTable {
  const keys = new Set<string>();
  for (const run of runs) for (const [key, value] of Object.entries(run.final ?? {})) if (isScalar(value)) keys.add(key);
  const columns = [...FINAL_COLUMNS.filter((k) => keys.has(k)), ...[...keys].filter((k) => !FINAL_COLUMNS.includes(k)).sort()];
  const best = columns.map((key) => {
    if (!HIGHER_IS_BETTER.test(key) || runs.length < 2) return undefined;
    const values = runs.map((r) => r.final?.[key]).filter((v): v is number => typeof v === 'number');
    return values.length > 0 ? Math.max(...values) : undefined;
  });
  return {
    columns,
    rows: runs.map((run) => ({
      run: run.name,
      cells: columns.map((key) => formatValue(run.final?.[key])),
      best: columns.map((key, c) => best[c] !== undefined && run.final?.[key] === best[c]),
    })),
  };
}
