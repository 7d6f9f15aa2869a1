/** Test helpers: running the same computation on two backends, comparing numbers, scratch files. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/backend.js';
import { addonProblem } from '../src/engine/native/addon.js';
import { loadAddon } from '../src/engine/native/loadAddon.js';
import { Rng } from '../src/engine/random.js';

/** Initialises the engine (wasm with its fixes) once per test file. */
export async function setup(backend = 'wasm'): Promise<void> {
  await initEngine({ backend });
}

/**
 * For `test(name, { skip }, …)` in tests of the native backend: false when the addon is loaded,
 * else the reason they are skipped (the addon is not built, or HARDNEG_NATIVE_DISABLE=1).
 */
export async function nativeSkip(): Promise<string | false> {
  return (await loadAddon()) === undefined ? `native backend unavailable: ${addonProblem()}` : false;
}

/** Runs `f` with `backend` active and returns the flattened values of its result(s). */
export async function on(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose(list);
    return values;
  } finally {
    await tf.setBackend(previous);
  }
}

/** max |a − b| / max(max |b|, 1e-12). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'length mismatch');
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < actual.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4, what = 'values'): void {
  const err = relativeError(actual, expected);
  assert.ok(err <= tol, `${what}: relative error ${err.toExponential(2)} > ${tol}`);
}

/** Seeded normal values. */
export function randn(rng: Rng, n: number): Float32Array {
  return rng.normalArray(n);
}

/** A temporary directory, removed after the test file, and `file(name, text)` writing a file in it (returns its path). */
export function scratchDir(prefix: string): { dir: string; file: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), `hardneg-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
}
