/**
 * Writes run directories exactly as `docs/runs.md` lays them out, with synthetic but plausible
 * content: clustered test embeddings (one cluster per class), MoCHi-like similarities, curves.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/engine/random.js';

/** NPY version 1.0 bytes of a C-order little-endian array. */
export function npyBytes(data: Float32Array | Int32Array, shape: number[]): Uint8Array {
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export interface FixtureOptions {
  name?: string;
  seed?: number;
  epochs?: number;
  /** Test rows, classes and dimension of the embeddings. */
  rows?: number;
  classes?: number;
  dim?: number;
  /** Log and write MoCHi's diagnostics (proxy_acc, fn_share, hardness.json). */
  mochi?: boolean;
  /** Files to leave out. */
  omit?: string[];
}

/** Writes a run directory and returns its path. */
export function writeRun(dir: string, options: FixtureOptions = {}): string {
  const { name = 'run', seed = 0, epochs = 5, rows = 300, classes = 10, dim = 16, mochi = true, omit = [] } = options;
  const rng = new Rng(seed);
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  const write = (file: string, data: string | Uint8Array) => {
    if (!omit.includes(file)) writeFileSync(join(path, file), data);
  };
  const config = {
    name,
    task: 'moco',
    seed,
    backend: 'wasm',
    versions: { hardneg: '0.1.0', tfjs: '4.22.0', node: process.version },
    config: { epochs, batch: 256, queue: 4096, dim, ...(mochi ? { mochi: { N: 64, s: 32, sPrime: 16 } } : {}) },
    data: { dataset: 'synthetic', split: { test: rows } },
    created: '2025-01-01T00:00:00.000Z',
  };
  write('config.json', JSON.stringify(config, null, 2));
  // Curves move linearly from their first to their last value over the epochs; MoCHi ends a little better.
  const [top1, top5] = mochi ? [0.92, 0.97] : [0.9, 0.96];
  const lines: string[] = [];
  for (let e = 1; e <= epochs; e++) {
    const t = e / epochs;
    const row: Record<string, number> = { epoch: e, step: e * 100, loss: 6 - 3 * t - (mochi ? 0.1 : 0), lr: 0.03, seconds: 10, knn_top1: 0.5 + (top1 - 0.5) * t, knn_top5: 0.8 + (top5 - 0.8) * t };
    if (mochi) Object.assign(row, { proxy_acc: 0.6 + 0.35 * t, fn_share: 0.1 - 0.06 * t, sim_pos: 0.8, sim_neg_mean: 0.05, sim_hardest_mean: 0.5, sim_mixed_mean: 0.45, sim_query_mixed_mean: 0.65 });
    lines.push(JSON.stringify(row));
  }
  write('metrics.jsonl', lines.join('\n') + '\n');
  write('final.json', JSON.stringify({ knn_top1: top1, knn_top5: top5, epochs, seconds: 10 * epochs, alignment: 0.4, uniformity: -3.2 }));
  if (mochi) {
    const around = (n: number, mean: number, std: number) => Array.from(rng.normalArray(n, mean, std), (v) => Math.max(-1, Math.min(1, v)));
    write('hardness.json', JSON.stringify({ epoch: epochs, queue: around(4000, 0.05, 0.12), hardest: around(640, 0.45, 0.06), mixed: around(320, 0.42, 0.08), query_mixed: around(160, 0.62, 0.07), positive: around(10, 0.8, 0.05) }));
  }
  const centers = rng.normalArray(classes * dim, 0, 1);
  const embeddings = new Float32Array(rows * dim);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    labels[r] = r % classes;
    for (let d = 0; d < dim; d++) embeddings[r * dim + d] = centers[labels[r] * dim + d] + 0.25 * rng.normal();
  }
  write('test-embeddings.npy', npyBytes(embeddings, [rows, dim]));
  write('test-labels.npy', npyBytes(labels, [rows]));
  return path;
}
