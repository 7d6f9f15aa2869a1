import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { nativeSkip } from '../helpers.js';

const auto = (await nativeSkip()) ? 'wasm' : 'native';

/** Runs the built CLI (`npm test` builds dist first). */
function hardneg(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/hardneg.js', ...args], { encoding: 'utf8', env: { ...process.env, HARDNEG_BACKEND: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--help lists the commands and --version prints the package version', () => {
  const help = hardneg('--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /Commands:[\s\S]*bench/);
  assert.match(help.out, /--backend <name>/);
  assert.match(help.out, /--threads <n>/);
  assert.match(hardneg('--version').out.trim(), /^\d+\.\d+\.\d+$/);
});

test('bench moco-step --json prints the backend and ends with one JSON line', () => {
  const r = hardneg('bench', 'moco-step', '--batch', '16', '--queue', '64', '--dim', '8', '--steps', '2', '--warmup', '1', '--json');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, auto === 'native' ? /^backend: native \(OpenBLAS, \d+ threads?; native kernels:/m : /^backend: wasm \(kernel fixes:/m);
  const last = JSON.parse(r.out.trim().split('\n').pop()!);
  assert.equal(last.bench, 'moco-step');
  assert.equal(last.backend, auto);
  assert.deepEqual([last.batch, last.queue, last.dim, last.steps], [16, 64, 8, 2]);
  assert.ok(last.ms_per_step > 0);
});

test('errors are one line and a non-zero exit', () => {
  const bad = hardneg('--backend', 'gpu', 'bench', 'moco-step');
  assert.equal(bad.code, 1);
  assert.equal(bad.err.trim().split('\n').length, 1);
  assert.match(bad.err, /^hardneg: error: unknown backend 'gpu': expected one of tensorflow, native, wasm, cpu/);
  const threads = hardneg('--threads', '0', 'bench', 'moco-step');
  assert.notEqual(threads.code, 0);
  assert.match(threads.err, /--threads must be a positive integer, got '0'/);
  const num = hardneg('bench', 'moco-step', '--batch', 'x');
  assert.notEqual(num.code, 0);
  assert.match(num.err, /--batch must be a positive integer, got 'x'/);
});
