/**
 * The host kernels compiled to WebAssembly (engine/host/compiledKernels.ts): the addon's C, so the
 * same bits as the addon; the same results as the JavaScript twins (pair dots to rounding); the
 * embedded module is what its C sources compile to.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import { CompiledKernels, loadCompiledKernels } from '../../src/engine/host/compiledKernels.js';
import { mixJs, type MochiMixArrays, type MochiMixed } from '../../src/engine/host/mochiMix.js';
import { selectHardest } from '../../src/engine/host/selection.js';
import { loadAddon } from '../../src/engine/native/loadAddon.js';
import { Rng } from '../../src/engine/random.js';
import { assertClose, nativeSkip } from '../helpers.js';

const skip = await nativeSkip();
let kernels: CompiledKernels;
before(async () => {
  kernels = (await loadCompiledKernels())!;
  assert.ok(kernels !== undefined, 'Node 20 has WebAssembly SIMD');
});

/** Score rows that exercise both selection paths: spread, tied, coarse (many ties), with a NaN. */
function scoreCases(rng: Rng): { name: string; scores: Float32Array; B: number; K: number; N: number }[] {
  const spread = rng.uniformArray(6 * 4096, -10, 10);
  const coarse = Float32Array.from(rng.intArray(5 * 1000, 7), (v) => v / 7); // few distinct values
  const nan = rng.uniformArray(3 * 600, -1, 1);
  nan[17] = NaN;
  return [
    { name: 'spread, sampled path', scores: spread, B: 6, K: 4096, N: 256 },
    { name: 'coarse ties, full sort', scores: coarse, B: 5, K: 1000, N: 300 },
    { name: 'a NaN', scores: nan, B: 3, K: 600, N: 40 },
  ];
}

test('selection: the compiled module gives the JavaScript twin\'s indices', () => {
  for (const { name, scores, B, K, N } of scoreCases(new Rng(1))) {
    for (const range of [undefined, [-10.01, 10.01]] as const) {
      const [js, wasm] = [new Int32Array(B * N), new Int32Array(B * N)];
      selectHardest(scores, B, K, N, range as [number, number] | undefined, js);
      assert.equal(kernels.hardest(scores, B, K, N, range as [number, number] | undefined, wasm), true);
      assert.deepEqual([...wasm], [...js], `${name}, range ${range}`);
    }
  }
});

function unitRows(rng: Rng, K: number, D: number): Float32Array {
  const v = rng.normalArray(K * D);
  for (let r = 0; r < K; r++) {
    const n = Math.hypot(...v.subarray(r * D, (r + 1) * D));
    for (let e = r * D; e < (r + 1) * D; e++) v[e] /= n;
  }
  return v;
}

function mixCase(rng: Rng): MochiMixArrays {
  const [B, K, N, s, sPrime, D] = [9, 200, 30, 17, 11, 20];
  return {
    B, K, N, s, sPrime, D, scale: 5, rows: unitRows(rng, K, D),
    scores: rng.uniformArray(B * K, -5, 5),
    hardest: rng.intArray(B * N, K),
    i: rng.intArray(B * s, N), j: rng.intArray(B * s, N), alpha: Float64Array.from(rng.uniformArray(B * s)),
    k: rng.intArray(B * sPrime, N), beta: Float64Array.from(rng.uniformArray(B * sPrime, 0, 0.5)),
    qq: rng.uniformArray(B, 4.9, 5),
  };
}

function emptyMixed(m: MochiMixArrays): MochiMixed {
  const [nS, nP] = [m.B * m.s, m.B * m.sPrime];
  const f = (n: number) => new Float32Array(n);
  return { rowI: new Int32Array(nS), rowJ: new Int32Array(nS), rowK: new Int32Array(nP), c: f(nS), d: f(nP), wA: f(nS), wB: f(nS), wQ: f(nP), wD: f(nP), logits: f(m.B * (m.s + m.sPrime)) };
}

test('mix: the compiled module gives the JavaScript twin\'s results (pair dots and what follows from them to rounding)', () => {
  const m = mixCase(new Rng(2));
  const [js, wasm] = [emptyMixed(m), emptyMixed(m)];
  mixJs(m, js);
  kernels.mix(m, wasm);
  for (const key of ['rowI', 'rowJ', 'rowK', 'd', 'wQ', 'wD'] as const) assert.deepEqual([...wasm[key]], [...js[key]], key);
  for (const key of ['c', 'wA', 'wB', 'logits'] as const) assertClose(wasm[key], js[key], 1e-6, key);
  const noPrime = { ...mixCase(new Rng(3)), sPrime: 0, k: new Int32Array(0), beta: new Float64Array(0), qq: null };
  const [a, b] = [emptyMixed(noPrime), emptyMixed(noPrime)];
  mixJs(noPrime, a);
  kernels.mix(noPrime, b);
  assertClose(b.logits, a.logits, 1e-6, "s' = 0");
  assert.throws(() => kernels.mix({ ...m, hardest: Int32Array.from(m.hardest, () => m.K) }, emptyMixed(m)), /mochiMix: hardest\[0\] = 200 is out of range \[0, 200\)/);
  assert.throws(() => kernels.mix({ ...m, j: Int32Array.from(m.j, () => -1) }, emptyMixed(m)), /mochiMix: j\[0\] = -1 is out of range/);
});

test('the compiled module and the addon give the same bits (selection and mix)', { skip }, async () => {
  const addon = (await loadAddon())!;
  for (const { name, scores, B, K, N } of scoreCases(new Rng(4))) {
    const [c, wasm] = [new Int32Array(B * N), new Int32Array(B * N)];
    addon.hardest(scores, B, K, N, NaN, NaN, c);
    kernels.hardest(scores, B, K, N, undefined, wasm);
    assert.deepEqual([...wasm], [...c], name);
  }
  const m = mixCase(new Rng(5));
  const [c, wasm] = [emptyMixed(m), emptyMixed(m)];
  addon.mochiMix(Int32Array.of(m.B, m.K, m.N, m.s, m.sPrime, m.D), m.scores, m.scale, m.rows, m.hardest, m.i, m.j, m.alpha, m.k, m.beta, m.qq, c.rowI, c.rowJ, c.rowK, c.c, c.d, c.wA, c.wB, c.wQ, c.wD, c.logits);
  kernels.mix(m, wasm);
  for (const key of Object.keys(c) as (keyof MochiMixed)[]) assert.ok(wasm[key].every((v, x) => Object.is(v, c[key][x])), key);
});

test('a call the module\'s memory cannot hold returns false and writes nothing (the caller then runs the twin)', () => {
  const full = new CompiledKernels({ memory: new WebAssembly.Memory({ initial: 1 }), reset: () => {}, alloc: () => 0, hardest: () => 0, mix: () => {} });
  const out = new Int32Array(4).fill(-7);
  assert.equal(full.hardest(new Float32Array(8), 2, 4, 2, undefined, out), false);
  assert.deepEqual([...out], [-7, -7, -7, -7]);
  const m = mixCase(new Rng(6));
  const mixed = emptyMixed(m);
  assert.equal(full.mix(m, mixed), false);
  assert.ok(mixed.logits.every((v) => v === 0));
});

const clang = spawnSync('clang', ['--version']).status === 0 && spawnSync('wasm-ld', ['--version']).status === 0;

test('the embedded module is what native/wasm/build.mjs compiles from the C sources', { skip: clang ? false : 'clang and wasm-ld not installed (apt-get install -y clang lld)' }, () => {
  const check = spawnSync(process.execPath, ['native/wasm/build.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
});
