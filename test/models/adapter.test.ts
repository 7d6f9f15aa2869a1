import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { Adapter } from '../../src/models/adapter.js';
import { assertClose, setup } from '../helpers.js';
import { unit } from '../reference/float64.js';

before(() => setup('wasm'));
const dir = mkdtempSync(join(tmpdir(), 'hardneg-adapter-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('linear and residual adapters start as the identity (on normalised vectors)', () => {
  const rng = new Rng(0);
  const x = rng.normalArray(5 * 6);
  const expected = Array.from({ length: 5 }, (_, i) => unit(Array.from(x.subarray(i * 6, (i + 1) * 6)))).flat();
  for (const kind of ['linear', 'residual'] as const) {
    const before = tf.memory().numTensors;
    const adapter = new Adapter({ dim: 6, kind, hidden: 10 }, rng);
    assertClose(adapter.encode(x, 2), expected, 1e-6, kind);
    adapter.dispose();
    assert.equal(tf.memory().numTensors, before, `${kind}: tensors left behind`);
  }
});

test('the linear adapter computes normalise(x·W + b); save and load round-trip', () => {
  const adapter = new Adapter({ dim: 2 });
  adapter.weights[0].assign(tf.tensor2d([[0, 2], [1, 0]]));
  adapter.weights[1].assign(tf.tensor1d([1, 0]));
  // x = [3, 4]: x·W + b = [4 + 1, 6] → / √61
  assertClose(adapter.encode(Float32Array.from([3, 4])), [5 / Math.sqrt(61), 6 / Math.sqrt(61)], 1e-6);
  const path = join(dir, 'a.safetensors');
  adapter.save(path);
  const loaded = Adapter.load(path);
  assert.deepEqual(loaded.config, { dim: 2, kind: 'linear', hidden: 2 });
  assert.deepEqual(loaded.encode(Float32Array.from([3, 4, -1, 2])), adapter.encode(Float32Array.from([3, 4, -1, 2])));
  const residual = new Adapter({ dim: 3, kind: 'residual', hidden: 4 }, new Rng(1));
  residual.weights[2].assign(tf.randomNormal([4, 3], 0, 1, 'float32', 3));
  residual.save(join(dir, 'r.safetensors'));
  const x = new Rng(2).normalArray(12);
  assert.deepEqual(Adapter.load(join(dir, 'r.safetensors')).encode(x), residual.encode(x));
});

test('bad configurations and inputs are one-line errors', () => {
  assert.throws(() => new Adapter({ dim: 0 }), /Adapter: dim must be a positive integer, got 0/);
  assert.throws(() => new Adapter({ dim: 4, kind: 'mlp' as 'linear' }), /kind must be 'linear' or 'residual', got 'mlp'/);
  const a = new Adapter({ dim: 4 });
  assert.throws(() => a.encode(new Float32Array(6)), /6 values are not rows of 4/);
  assert.throws(() => a.forward(tf.zeros([2, 3])), /input must have shape \[\*, 4\], got \[2, 3\]/);
  assert.throws(() => Adapter.load(join(dir, 'nothing')), /cannot read weight file/);
});
