import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { describeEngine, initEngine } from '../../src/engine/backend.js';

test('auto selection picks wasm here (tfjs-node is not installed) and installs every wasm fix', async () => {
  const saved = process.env.HARDNEG_BACKEND;
  delete process.env.HARDNEG_BACKEND;
  try {
    const info = await initEngine();
    assert.equal(info.backend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(info.available, ['wasm', 'cpu']);
    assert.deepEqual(info.fixes, ['transposed-matmul', 'batch-gather', 'conv-gradients', 'segment-sum', 'pool-gradients']);
    assert.match(describeEngine(info), /^backend: wasm \(kernel fixes: transposed-matmul/);
  } finally {
    if (saved !== undefined) process.env.HARDNEG_BACKEND = saved;
  }
});

test('HARDNEG_BACKEND and the backend option force a backend', async () => {
  process.env.HARDNEG_BACKEND = 'cpu';
  try {
    assert.equal((await initEngine()).backend, 'cpu');
    assert.equal((await initEngine({ backend: 'wasm' })).backend, 'wasm');
  } finally {
    delete process.env.HARDNEG_BACKEND;
  }
});

test('an unknown or unavailable backend is a one-line error naming the available ones', async () => {
  await assert.rejects(initEngine({ backend: 'gpu' }), /^Error: unknown backend 'gpu': expected one of tensorflow, wasm, cpu \(available here: wasm, cpu\)$/);
  await assert.rejects(initEngine({ backend: 'tensorflow' }), /backend 'tensorflow' is not available here \(install @tensorflow\/tfjs-node to use it\); available: wasm, cpu/);
});
