/**
 * Times the hardest-N selection (`hardestIndicesIn`) that MoCHi, kNN and exact mining share: in C
 * on the native backend, and its JavaScript twin (used on every other backend), on the same scores.
 *
 * Usage: node --import tsx bench/hardest.ts [--batch 256] [--queue 4096] [--n 256] [--reps 50]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/backend.js';
import { Rng } from '../src/engine/random.js';
import { hardestIndicesIn } from '../src/engine/hostKernels.js';

const { values } = parseArgs({ options: { batch: { type: 'string', default: '256' }, queue: { type: 'string', default: '4096' }, n: { type: 'string', default: '256' }, reps: { type: 'string', default: '50' } } });
const [B, K, N, reps] = [values.batch, values.queue, values.n, values.reps].map(Number);
// Logits of unit vectors at τ = 0.1: within ±10.
const scores = new Rng(0).normalArray(B * K, 0, 3);
const range: [number, number] = [-10.01, 10.01];

/** Median ms of `reps` calls after 5 warm-up calls. */
function time(): number {
  for (let i = 0; i < 5; i++) hardestIndicesIn(scores, B, K, N, range);
  const times = Array.from({ length: reps }, () => {
    const t0 = performance.now();
    hardestIndicesIn(scores, B, K, N, range);
    return performance.now() - t0;
  });
  return times.sort((a, b) => a - b)[reps >> 1];
}

const engine = await initEngine({ threads: 1 });
const native = engine.backend === 'native' ? time() : undefined;
await tf.setBackend('cpu'); // any backend but native: the JavaScript twin
const js = time();
console.log(`hardest ${N} of ${K} for ${B} rows: ${native === undefined ? 'native backend unavailable' : `C ${native.toFixed(2)} ms`}, JavaScript ${js.toFixed(2)} ms (median of ${reps}, 1 thread)`);
