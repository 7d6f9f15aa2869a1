/**
 * MoCHi's host kernels at its sizes (B = 256, K = 4,096, N = 256, s = 128, s′ = 64, D = 128), each
 * where it can run: the JavaScript twins, the same C compiled to WebAssembly, and the addon:
 * `node --import tsx bench/hostKernels.ts [--rounds 21]`. Prints the median CPU time (user +
 * system, steadier than wall time on a shared machine) of the selection, the draws and the mix.
 * Scores are those of unit queries against a unit random queue, scaled by 1/τ = 10.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { HostScratch } from '../src/engine/hostKernels.js';
import { loadCompiledKernels } from '../src/engine/host/compiledKernels.js';
import { mixJs, type MochiMixed } from '../src/engine/host/mochiMix.js';
import { selectHardest } from '../src/engine/host/selection.js';
import { loadAddon } from '../src/engine/native/loadAddon.js';
import { Rng } from '../src/engine/random.js';
import { drawMochi } from '../src/negatives/mochiDraws.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '21' } } });
const rounds = Number(values.rounds);
const [B, K, D, N, s, sPrime] = [256, 4096, 128, 256, 128, 64];
const rng = new Rng(0);
const unit = (v: Float32Array, rows: number) => {
  for (let r = 0; r < rows; r++) {
    const n = Math.hypot(...v.subarray(r * D, (r + 1) * D));
    for (let e = r * D; e < (r + 1) * D; e++) v[e] /= n;
  }
  return v;
};
const rows = unit(rng.normalArray(K * D), K);
const q = unit(rng.normalArray(B * D), B);
const scores = new Float32Array(B * K);
for (let b = 0; b < B; b++) {
  for (let k = 0; k < K; k++) {
    let dot = 0;
    for (let e = 0; e < D; e++) dot += q[b * D + e] * rows[k * D + e];
    scores[b * K + k] = 10 * dot;
  }
}

/** Median CPU milliseconds of `f` over the rounds. */
function cpuMs(f: () => void): string {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1000);
  }
  return times.sort((a, b) => a - b)[rounds >> 1].toFixed(2).padStart(6);
}

const [compiled, addon] = [await loadCompiledKernels(), await loadAddon()];
const hardest = new Int32Array(B * N);
const range: [number, number] = [-10.01, 10.01];
const drawRng = new Rng(1);
const scratch = new HostScratch();
const draws = drawMochi(new Rng(2), B, N, s, sPrime);
const fresh = (): MochiMixed => {
  const [nS, nP] = [B * s, B * sPrime];
  const f = (n: number) => new Float32Array(n);
  return { rowI: new Int32Array(nS), rowJ: new Int32Array(nS), rowK: new Int32Array(nP), c: f(nS), d: f(nP), wA: f(nS), wB: f(nS), wQ: f(nP), wD: f(nP), logits: f(B * (s + sPrime)) };
};
selectHardest(scores, B, K, N, range, hardest);
const mix = {
  B, K, N, s, sPrime, D, scores, scale: 10, rows, hardest, i: draws.i as Int32Array, j: draws.j as Int32Array, alpha: Float64Array.from(draws.alpha),
  k: draws.k as Int32Array, beta: Float64Array.from(draws.beta), qq: new Float32Array(B).fill(10),
};
const out = fresh();
console.log(`B=${B} K=${K} N=${N} s=${s} s'=${sPrime} D=${D}; median CPU ms of ${rounds} rounds; load average ${loadavg()[0].toFixed(2)}`);
console.log(`selection   JavaScript ${cpuMs(() => selectHardest(scores, B, K, N, range, hardest))}   wasm ${compiled ? cpuMs(() => compiled.hardest(scores, B, K, N, range, hardest)) : '     —'}   addon ${addon ? cpuMs(() => addon.hardest(scores, B, K, N, range[0], range[1], hardest)) : '—'}`);
console.log(`draws       JavaScript ${cpuMs(() => drawMochi(drawRng, B, N, s, sPrime, scratch))}   (fresh arrays: ${cpuMs(() => drawMochi(drawRng, B, N, s, sPrime)).trim()})`);
console.log(`mix         JavaScript ${cpuMs(() => mixJs(mix, out))}   wasm ${compiled ? cpuMs(() => compiled.mix(mix, out)) : '     —'}   addon ${addon ? cpuMs(() => addon.mochiMix(Int32Array.of(B, K, N, s, sPrime, D), scores, 10, rows, hardest, mix.i, mix.j, mix.alpha, mix.k, mix.beta, mix.qq, out.rowI, out.rowJ, out.rowK, out.c, out.d, out.wA, out.wB, out.wQ, out.wD, out.logits)) : '—'}`);
