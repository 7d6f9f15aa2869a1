/**
 * The run directory `runs/<name>/` (layout in `docs/runs.md`): config.json at the start, one
 * metrics.jsonl line per epoch, final.json, hardness.json and the test embeddings at the end.
 * Every file but the appended metrics log is written atomically, every byte checked; the log's
 * appends are checked and flushed, and a torn last line (see `metricsLog.ts`) is dropped.
 *
 * A run name is one path segment (letters, digits, `.`, `_`, `-`), so a run stays inside its runs
 * directory. While a process writes a run it holds the directory's lock (`.lock`, see
 * `util/lock.ts`): a second process on the same run gets a one-line error naming the holder.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '../engine/tf.js';
import { DataError } from '../data/dataReport.js';
import { writeNpy } from '../data/npyWrite.js';
import { appendFileChecked, removeOrphanTemps, writeError, writeFileAtomic } from '../util/atomicWrite.js';
import { acquireLock, type Lock } from '../util/lock.js';
import { parseMetricsLog } from './metricsLog.js';

export type Metrics = Record<string, number>;

const RUN_NAME = /^[A-Za-z0-9._-]+$/;

/** Throws unless `name` is one path segment of letters, digits, `.`, `_`, `-` (not `.` or `..`). */
export function checkRunName(name: string, runsDir: string): void {
  if (!RUN_NAME.test(name) || name === '.' || name === '..') {
    throw new DataError(`run name ${JSON.stringify(name)} must be letters, digits, . _ - only (one directory inside ${resolve(runsDir)})`);
  }
}

export class RunWriter {
  private lock: Lock | undefined;

  constructor(readonly path: string) {}

  /**
   * Creates (or, with `resume`, reopens) the run directory and takes its lock; without `resume` it
   * must not already hold a run. Temporary files left by a killed process are removed.
   */
  static create(runsDir: string, name: string, resume: boolean): RunWriter {
    checkRunName(name, runsDir);
    const path = join(runsDir, name);
    if (resume && !existsSync(join(path, 'config.json'))) throw new Error(`--resume: ${path} holds no run to resume`);
    try {
      mkdirSync(path, { recursive: true });
    } catch (err) {
      throw writeError(path, err, 'cannot create run directory');
    }
    const run = new RunWriter(path);
    run.lock = acquireLock(join(path, '.lock'), `run directory ${path}`);
    if (!resume && existsSync(join(path, 'config.json'))) {
      run.release();
      throw new Error(`run directory ${path} already holds a run: pass --resume to continue it, or choose another --name`);
    }
    removeOrphanTemps(path);
    return run;
  }

  /** Gives up the directory's lock (also done at process exit). */
  release(): void {
    this.lock?.release();
    this.lock = undefined;
  }

  file(name: string): string {
    return join(this.path, name);
  }

  writeJson(name: string, value: unknown): void {
    writeFileAtomic(this.file(name), `${JSON.stringify(value, null, 2)}\n`);
  }

  /** Reads a JSON file of the run; a missing or malformed file is an error naming it. */
  readJson<T>(name: string): T {
    const path = this.file(name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new DataError(`cannot read ${path}: ${(err as Error).message}`);
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new DataError(`${path}: invalid JSON (${(err as Error).message})`);
    }
  }

  /**
   * Appends one epoch's metrics. Lines of epochs >= this one (left by an interrupted run) and a
   * torn last line are dropped first, by rewriting the log atomically.
   */
  appendMetrics(metrics: Metrics & { epoch: number }): void {
    const log = this.readLog();
    const kept = log.rows.filter((r) => (r.record.epoch as number) < metrics.epoch);
    if (log.unterminated || kept.length !== log.rows.length) writeFileAtomic(this.file('metrics.jsonl'), kept.map((r) => `${JSON.stringify(r.record)}\n`).join(''));
    appendFileChecked(this.file('metrics.jsonl'), `${JSON.stringify(metrics)}\n`);
  }

  metrics(): (Metrics & { epoch: number })[] {
    return this.readLog().rows.map((r) => r.record as Metrics & { epoch: number });
  }

  private readLog() {
    const path = this.file('metrics.jsonl');
    if (!existsSync(path)) return { rows: [], torn: false, unterminated: false };
    return parseMetricsLog(readFileSync(path, 'utf8'), path);
  }

  /** Test-split features `[n, D]` and labels `[n]` as NPY. */
  writeEmbeddings(features: tf.Tensor2D, labels: Int32Array): void {
    writeNpy(this.file('test-embeddings.npy'), features.dataSync() as Float32Array, features.shape);
    writeNpy(this.file('test-labels.npy'), labels, [labels.length]);
  }
}
