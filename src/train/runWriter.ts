/**
 * The run directory `runs/<name>/` (layout in `docs/runs.md`): config.json at the start, one
 * metrics.jsonl line per epoch, final.json, hardness.json and the test embeddings at the end.
 * Every file but the appended metrics log is written atomically.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeNpy } from '../data/npyWrite.js';
import { writeFileAtomic } from '../util/atomicWrite.js';

export type Metrics = Record<string, number>;

export class RunWriter {
  constructor(readonly path: string) {}

  /** Creates the directory; with `resume` false it must not already hold a run. */
  static create(runsDir: string, name: string, resume: boolean): RunWriter {
    const path = join(runsDir, name);
    if (!resume && existsSync(join(path, 'config.json'))) {
      throw new Error(`run directory ${path} already holds a run: pass --resume to continue it, or choose another --name`);
    }
    if (resume && !existsSync(join(path, 'config.json'))) throw new Error(`--resume: ${path} holds no run to resume`);
    mkdirSync(path, { recursive: true });
    return new RunWriter(path);
  }

  file(name: string): string {
    return join(this.path, name);
  }

  writeJson(name: string, value: unknown): void {
    writeFileAtomic(this.file(name), `${JSON.stringify(value, null, 2)}\n`);
  }

  readJson<T>(name: string): T {
    return JSON.parse(readFileSync(this.file(name), 'utf8')) as T;
  }

  /** Appends one epoch's metrics, dropping lines of epochs >= this one (left by an interrupted run). */
  appendMetrics(metrics: Metrics & { epoch: number }): void {
    const kept = this.metrics().filter((m) => m.epoch < metrics.epoch);
    if (kept.length !== this.metrics().length) writeFileAtomic(this.file('metrics.jsonl'), kept.map((m) => `${JSON.stringify(m)}\n`).join(''));
    appendFileSync(this.file('metrics.jsonl'), `${JSON.stringify(metrics)}\n`);
  }

  metrics(): (Metrics & { epoch: number })[] {
    if (!existsSync(this.file('metrics.jsonl'))) return [];
    return readFileSync(this.file('metrics.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  }

  /** Test-split features `[n, D]` and labels `[n]` as NPY. */
  writeEmbeddings(features: tf.Tensor2D, labels: Int32Array): void {
    writeNpy(this.file('test-embeddings.npy'), features.dataSync() as Float32Array, features.shape);
    writeNpy(this.file('test-labels.npy'), labels, [labels.length]);
  }
}
