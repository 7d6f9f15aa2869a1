import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { describeEngine, initEngine } from '../../src/engine/backend.js';
import { requireAddon } from '../../src/engine/native/addon.js';
import { nativeSkip } from '../helpers.js';

const nativeMissing = await nativeSkip();

/** initEngine in a fresh process with `env` added; returns its EngineInfo and description, or its error. */
function engineIn(env: Record<string, string>, options = '{}'): { info?: Record<string, unknown>; line?: string; error?: string } {
  const script = `
    import { describeEngine, initEngine } from './src/engine/backend.ts';
    try {
      const info = await initEngine(${options});
      console.log(JSON.stringify({ info, line: describeEngine(info) }));
    } catch (err) {
      console.log(JSON.stringify({ error: err.message }));
    }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, HARDNEG_BACKEND: '', ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('auto selection prefers native when the addon is built, else wasm with every wasm fix', async () => {
  const saved = process.env.HARDNEG_BACKEND;
  delete process.env.HARDNEG_BACKEND;
  try {
    const info = await initEngine();
    if (nativeMissing) {
      assert.equal(info.backend, 'wasm');
      assert.deepEqual(info.available, ['wasm', 'cpu']);
      assert.deepEqual(info.fixes, ['transposed-matmul', 'batch-gather', 'conv-gradients', 'segment-sum', 'pool-gradients', 'cast-to-bool']);
      assert.equal(info.hostKernels, 'wasm');
      assert.match(describeEngine(info), /^backend: wasm \(kernel fixes: transposed-matmul.*; host kernels: wasm\); native backend unavailable: /);
    } else {
      assert.equal(info.backend, 'native');
      assert.equal(tf.getBackend(), 'native');
      assert.deepEqual(info.available, ['native', 'wasm', 'cpu']);
      for (const k of ['BatchMatMul', '_FusedMatMul', 'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Softmax']) assert.ok(info.nativeKernels.includes(k), k);
      assert.equal(info.hostKernels, 'native');
      assert.match(describeEngine(info), /^backend: native \(OpenBLAS, \d+ threads?; native kernels: BatchMatMul, /);
    }
    const wasm = await initEngine({ backend: 'wasm' });
    assert.deepEqual(wasm.fixes, ['transposed-matmul', 'batch-gather', 'conv-gradients', 'segment-sum', 'pool-gradients', 'cast-to-bool']);
    assert.deepEqual(wasm.nativeKernels, []);
    assert.equal(wasm.hostKernels, 'wasm');
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
  const here = nativeMissing ? 'wasm, cpu' : 'native, wasm, cpu';
  await assert.rejects(initEngine({ backend: 'gpu' }), new RegExp(`^Error: unknown backend 'gpu': expected one of tensorflow, native, webgpu, webgl, wasm, cpu \\(available here: ${here}\\)$`));
  await assert.rejects(initEngine({ backend: 'tensorflow' }), /backend 'tensorflow' is not available here \(install @tensorflow\/tfjs-node to use it\); available: /);
});

test('with the addon disabled or missing, auto selection falls back to wasm and says why once', () => {
  const disabled = engineIn({ HARDNEG_NATIVE_DISABLE: '1' });
  assert.equal(disabled.info?.backend, 'wasm');
  assert.match(disabled.line!, /^backend: wasm \(kernel fixes: .*\); native backend unavailable: disabled by HARDNEG_NATIVE_DISABLE=1$/);
  const missing = engineIn({ HARDNEG_NATIVE_DISABLE: '', HARDNEG_NATIVE_ADDON: '/nonexistent/hardneg_native.node' });
  assert.equal(missing.info?.backend, 'wasm');
  assert.match(missing.line!, /native backend unavailable: the addon did not load \(Cannot find module '\/nonexistent\/hardneg_native.node'.*\); apt-get install -y libopenblas-dev, then npm run build:native$/);
  const forced = engineIn({ HARDNEG_NATIVE_DISABLE: '1' }, "{ backend: 'native' }");
  assert.equal(forced.error, "backend 'native' is not available here (disabled by HARDNEG_NATIVE_DISABLE=1); available: wasm, cpu");
});

test('threads: the option, then HARDNEG_THREADS, then the machine cores; bad values are one-line errors', { skip: nativeMissing }, async () => {
  const saved = process.env.HARDNEG_THREADS;
  try {
    assert.equal((await initEngine({ backend: 'native', threads: 2 })).threads, 2);
    assert.equal(requireAddon().threads(), 2);
    process.env.HARDNEG_THREADS = '1';
    assert.equal((await initEngine({ backend: 'native' })).threads, 1);
    assert.equal(requireAddon().threads(), 1);
    assert.equal((await initEngine({ backend: 'native', threads: 3 })).threads, 3);
    process.env.HARDNEG_THREADS = 'many';
    await assert.rejects(initEngine({ backend: 'native' }), /^Error: HARDNEG_THREADS must be an integer in \[1, 1024\], got 'many'$/);
    await assert.rejects(initEngine({ backend: 'native', threads: 0 }), /^Error: threads must be an integer in \[1, 1024\], got '0'$/);
    delete process.env.HARDNEG_THREADS;
    const { availableParallelism } = await import('node:os');
    assert.equal((await initEngine({ backend: 'native' })).threads, availableParallelism());
  } finally {
    if (saved === undefined) delete process.env.HARDNEG_THREADS;
    else process.env.HARDNEG_THREADS = saved;
    await initEngine({ backend: 'wasm' });
  }
});
