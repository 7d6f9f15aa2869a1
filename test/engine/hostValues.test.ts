import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { hostValues } from '../../src/engine/hostKernels.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

test('hostValues on wasm: the values, read in place from the wasm heap (no copy)', () => {
  const t = tf.tidy(() => tf.mul(tf.range(0, 1000, 1, 'float32'), 0.5));
  const values = hostValues(t);
  assert.deepEqual([...values], [...t.dataSync()]);
  assert.equal(values.buffer, (tf.backend() as BackendWasm).wasm.HEAPF32.buffer);
  const ints = tf.tensor1d([1, 2, 3], 'int32'); // not float32: copied out
  assert.deepEqual([...hostValues(ints)], [1, 2, 3]);
  tf.dispose([t, ints]);
});
