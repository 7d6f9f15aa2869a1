import * as tf from '@tensorflow/tfjs';
import { initEngine } from './src/engine/backend.ts';
import { Rng } from './src/engine/random.ts';
import { planMochi, mochiLogitsFast } from './src/negatives/mochi.ts';
import { hardestIndicesIn } from './src/negatives/hardest.ts';
import { l2Normalize } from './src/ops/normalize.ts';
await initEngine({ backend: 'wasm' });
const rng = new Rng(0);
const B = 256, K = 4096, D = 128, tau = 0.2;
const q = l2Normalize(tf.tensor2d(rng.normalArray(B * D), [B, D]));
const N = l2Normalize(tf.tensor2d(rng.normalArray(K * D), [K, D]));
const Nh = N.dataSync() as Float32Array;
const qs = tf.div(q, tau) as tf.Tensor2D;
const neg = tf.matMul(qs, N, false, true) as tf.Tensor2D;
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  const host = neg.dataSync() as Float32Array;
  const t1 = performance.now();
  hardestIndicesIn(host, B, K, 256, [-5.01, 5.01]);
  const t2 = performance.now();
  const plan = planMochi({ N: 256, s: 128, sPrime: 64 }, host, 1 / tau, Nh, B, K, D, rng);
  const t3 = performance.now();
  const g = tf.grad((x: tf.Tensor) => tf.sum(mochiLogitsFast(plan, x as tf.Tensor2D, qs, q as tf.Tensor2D)))(neg); g.dataSync();
  const t4 = performance.now();
  const f = mochiLogitsFast(plan, neg, qs, q as tf.Tensor2D); f.dataSync();
  const t5 = performance.now();
  console.log(`readback ${(t1-t0).toFixed(1)} hardest ${(t2-t1).toFixed(1)} plan(all) ${(t3-t2).toFixed(1)} fwd+bwd ${(t4-t3).toFixed(1)} fwd ${(t5-t4).toFixed(1)}`);
  tf.dispose([g, f]);
}
