/**
 * The portable backend selection (src/engine/select.ts, the one a browser bundle carries): a
 * backend that fails to initialise is skipped with its reason, and one asked for by name that
 * fails is a one-line error. Run in fresh processes, as the wasm module initialises once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { inBrowser } from '../../src/engine/select.js';

function selectIn(options: string): { info?: { backend: string; available: string[]; failed: { backend: string; reason: string }[] }; line?: string; error?: string } {
  const script = `
    import { describeEngine, initEngine } from './src/engine/select.ts';
    try {
      const info = await initEngine(${options});
      console.log(JSON.stringify({ info, line: describeEngine(info) }));
    } catch (err) {
      console.log(JSON.stringify({ error: err.message }));
    }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, HARDNEG_BACKEND: '' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('in Node the portable order is wasm then cpu, with no WebGL or WebGPU tried', () => {
  assert.equal(inBrowser(), false);
  const { info, line } = selectIn('{}');
  assert.equal(info?.backend, 'wasm');
  assert.deepEqual(info?.available, ['wasm', 'cpu']);
  assert.deepEqual(info?.failed, []);
  assert.match(line!, /^backend: wasm \(kernel fixes: transposed-matmul, /);
});

test('a wasm backend whose binaries do not load falls back to cpu and says so', () => {
  const { info, line } = selectIn("{ wasmPaths: '/nonexistent/' }");
  assert.equal(info?.backend, 'cpu');
  assert.deepEqual(info?.failed.map((f) => f.backend), ['wasm']);
  assert.equal(line, 'backend: cpu (host kernels: wasm); failed to start: wasm (it did not initialise)');
});

test('a backend asked for by name that fails to initialise is a one-line error', () => {
  const { error } = selectIn("{ backend: 'wasm', wasmPaths: '/nonexistent/' }");
  assert.equal(error, "backend 'wasm' failed to initialise (it did not initialise); available: wasm, cpu");
  assert.match(selectIn("{ backend: 'native' }").error!, /^backend 'native' is not available here; available: wasm, cpu$/);
});
