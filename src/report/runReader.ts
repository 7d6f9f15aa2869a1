/**
 * Reads a run directory (`docs/runs.md`) for a report. Every file is optional: what is absent is
 * listed in `missing`, so the report leaves that chart out with a note. A path that is not a run
 * directory, or a file that is present but malformed, is a one-line `DataError` naming it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError, errorMessage } from '../data/dataReport.js';
import type { JsonObject } from '../data/jsonl.js';
import { readNpy } from '../data/npy.js';
import { numericFields, parseMetricsLog, type MetricsRow } from '../train/metricsLog.js';

export const RUN_FILES = ['config.json', 'metrics.jsonl', 'final.json', 'hardness.json', 'test-embeddings.npy', 'test-labels.npy'] as const;
export type RunFile = (typeof RUN_FILES)[number];

/** The similarity groups of `hardness.json`, in drawing order. */
export const HARDNESS_GROUPS = ['queue', 'hardest', 'mixed', 'query_mixed', 'positive'] as const;
export type HardnessGroup = (typeof HARDNESS_GROUPS)[number];

export interface Hardness {
  epoch?: number;
  /** q·x per group; a group the run did not write is absent. */
  groups: Partial<Record<HardnessGroup, number[]>>;
}

/** One epoch of `metrics.jsonl`: `epoch` and the numeric fields. */
export type { MetricsRow };

export interface RunData {
  path: string;
  /** `config.name`, else the directory's name. */
  name: string;
  config?: JsonObject;
  metrics?: MetricsRow[];
  final?: JsonObject;
  hardness?: Hardness;
  /** Test embeddings `[rows, dim]`, row-major. */
  embeddings?: { rows: number; dim: number; data: Float32Array };
  /** Test labels `[rows]`. */
  labels?: Int32Array;
  missing: RunFile[];
}

function readJsonObject(path: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DataError(`report: ${path}: ${err instanceof SyntaxError ? 'invalid JSON' : 'cannot read'} (${errorMessage(err)})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DataError(`report: ${path}: expected a JSON object`);
  return value as JsonObject;
}

/**
 * The epochs of `metrics.jsonl`, ascending. A run resumed from a checkpoint may log an epoch again;
 * its last line wins. A torn last line (an append cut short) is dropped.
 */
function readMetrics(path: string): MetricsRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError(`report: cannot read ${path} (${errorMessage(err)})`);
  }
  let log: ReturnType<typeof parseMetricsLog>;
  try {
    log = parseMetricsLog(text, path);
  } catch (err) {
    throw new DataError(`report: ${errorMessage(err)}`);
  }
  const byEpoch = new Map<number, MetricsRow>();
  for (const { record } of log.rows) {
    const row = numericFields(record);
    byEpoch.set(row.epoch, row);
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

function readHardness(path: string): Hardness {
  const json = readJsonObject(path);
  const groups: Hardness['groups'] = {};
  for (const group of HARDNESS_GROUPS) {
    const values = json[group];
    if (values === undefined) continue;
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new DataError(`report: ${path}: "${group}" must be an array of finite numbers`);
    }
    groups[group] = values as number[];
  }
  return { epoch: typeof json.epoch === 'number' ? json.epoch : undefined, groups };
}

function readEmbeddings(path: string): RunData['embeddings'] {
  const npy = readNpy(path);
  if (npy.shape.length !== 2) throw new DataError(`report: ${path}: expected embeddings [n, D], got shape [${npy.shape.join(', ')}]`);
  if (npy.dtype !== 'float32' && npy.dtype !== 'float64') throw new DataError(`report: ${path}: expected float embeddings, got ${npy.dtype}`);
  const data = npy.dtype === 'float32' ? npy.data : Float32Array.from(npy.data);
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new DataError(`report: ${path}: value ${data[bad]} at index ${bad} is not finite`);
  return { rows: npy.shape[0], dim: npy.shape[1], data };
}

function readLabels(path: string, rows: number | undefined): Int32Array {
  const npy = readNpy(path);
  if (npy.shape.length !== 1 || (npy.dtype !== 'int32' && npy.dtype !== 'uint8')) {
    throw new DataError(`report: ${path}: expected integer labels [n], got ${npy.dtype} [${npy.shape.join(', ')}]`);
  }
  if (rows !== undefined && npy.shape[0] !== rows) throw new DataError(`report: ${path}: ${npy.shape[0]} labels for ${rows} test embeddings`);
  return Int32Array.from(npy.data);
}

/** Throws a one-line `DataError` unless `path` is a directory holding at least one run file; returns the files it lacks. */
export function checkRunDir(path: string): RunFile[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new DataError(`report: ${path}: no such directory`);
  }
  if (!isDir) throw new DataError(`report: ${path}: not a directory (expected a run directory, see docs/runs.md)`);
  const missing = RUN_FILES.filter((f) => !existsSync(join(path, f)));
  if (missing.length === RUN_FILES.length) {
    throw new DataError(`report: ${path} is not a run directory (it has none of ${RUN_FILES.join(', ')}; see docs/runs.md)`);
  }
  return missing;
}

/** Loads what a run directory holds. */
export async function loadRun(path: string): Promise<RunData> {
  const missing = checkRunDir(path);
  const present = (file: RunFile) => !missing.includes(file);
  const run: RunData = { path, name: basename(path), missing };
  if (present('config.json')) {
    run.config = readJsonObject(join(path, 'config.json'));
    if (typeof run.config.name === 'string' && run.config.name !== '') run.name = run.config.name;
  }
  if (present('metrics.jsonl')) run.metrics = readMetrics(join(path, 'metrics.jsonl'));
  if (present('final.json')) run.final = readJsonObject(join(path, 'final.json'));
  if (present('hardness.json')) run.hardness = readHardness(join(path, 'hardness.json'));
  if (present('test-embeddings.npy')) run.embeddings = readEmbeddings(join(path, 'test-embeddings.npy'));
  if (present('test-labels.npy')) run.labels = readLabels(join(path, 'test-labels.npy'), run.embeddings?.rows);
  return run;
}

/** Makes run names unique (`b`, `b (2)`, …) so every series has its own legend entry. */
export function uniqueNames(runs: RunData[]): void {
  const seen = new Map<string, number>();
  for (const run of runs) {
    const count = (seen.get(run.name) ?? 0) + 1;
    seen.set(run.name, count);
    if (count > 1) run.name = `${run.name} (${count})`;
  }
}
