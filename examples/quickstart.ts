/**
 * hardneg from TypeScript, in one file: `node --import tsx examples/quickstart.ts` (after npm ci).
 *
 * Random unit vectors stand in for an encoder's outputs: B queries and their positive keys
 * `[B, D]`, and a MoCo queue of K keys `[K, D]`. The script computes the MoCo and MoCHi losses and
 * the gradient of MoCHi's loss, looks at MoCHi's synthetic negatives, runs SupCon and SCHaNe on
 * labelled views, and mines hard negatives with a false-negative filter.
 */
import * as tf from '@tensorflow/tfjs';
import { MemoryQueue, Rng, describeEngine, infoNCE, initEngine, l2Normalize, mineNegatives, mochi, mochiLoss, readScalar, schane, supCon } from 'hardneg';

console.log(describeEngine(await initEngine()));
const rng = new Rng(0);
const [B, K, D] = [32, 512, 64];
const unit = (rows: number) => tf.tidy(() => l2Normalize(tf.tensor2d(rng.normalArray(rows * D), [rows, D])));
const q = unit(B);
const k = tf.tidy(() => l2Normalize(tf.add(q, tf.mul(unit(B), 0.5)) as tf.Tensor2D)); // positives: near their query

// A MoCo queue starts empty, fills first in first out, and can keep each key's label.
const queue = new MemoryQueue(K, D);
queue.enqueue(unit(K), Array.from({ length: K }, (_, i) => i % 10));

const moco = infoNCE(q, k, { temperature: 0.2, negatives: queue.keys() });
const mixed = mochiLoss(q, k, queue.keys(), { temperature: 0.2, N: 64, s: 32, sPrime: 16, rng: rng.fork() });
console.log(`MoCo InfoNCE ${moco.dataSync()[0].toFixed(4)}; with MoCHi's synthetic negatives ${mixed.dataSync()[0].toFixed(4)} (more and harder negatives, so larger)`);

// The gradient flows into the queries only; the synthetic negatives are constants.
const grad = tf.grad((x: tf.Tensor) => mochiLoss(x as tf.Tensor2D, k, queue.keys(), { temperature: 0.2, N: 64, s: 32, sPrime: 16, rng: new Rng(1) }))(q);
console.log(`‖∂L/∂q‖ = ${readScalar(() => tf.norm(grad)).toFixed(4)}`);

// The synthetic points: h mixes two of a query's 64 hardest queue keys, h′ mixes the query with one.
const { mixed: h, queryMixed: h2, hardest } = mochi(q, queue.keys(), { N: 64, s: 32, sPrime: 16, rng: new Rng(2) });
const hardestSim = readScalar(() => tf.sum(tf.mul(q.slice([0, 0], [1, D]), queue.keys().gather([hardest[0]]))));
const meanSim = (points: tf.Tensor3D) => readScalar(() => tf.mean(tf.sum(tf.mul(tf.expandDims(q, 1), points), 2)));
console.log(`query 0's hardest real negative: q·n = ${hardestSim.toFixed(3)}; mean q·h = ${meanSim(h).toFixed(3)}, mean q·h′ = ${meanSim(h2).toFixed(3)}`);

// Supervised: two views per image [B, 2, D] and int32 labels [B].
const labels = tf.tensor1d(Array.from({ length: B }, (_, i) => i % 4), 'int32');
const views = tf.stack([q, k], 1) as tf.Tensor3D;
console.log(`SupCon ${readScalar(() => supCon(views, labels)).toFixed(4)}; SCHaNe (β = 1) ${readScalar(() => schane(views, labels, { beta: 1 })).toFixed(4)}`);

// Mining: for each query, the 3 hardest queue keys that score below 0.3 (a ceiling: anything more
// similar is treated as a possible false negative) and are not keys of the query's own class.
const mined = mineNegatives(q, queue.keys(), { k: 3, maxScore: 0.3, anchorLabels: Array.from(labels.dataSync()), candidateLabels: queue.labels() });
console.log(`mined negatives of query 0: ${Array.from(mined.indices.slice(0, 3)).join(', ')} (q·n ${Array.from(mined.scores.slice(0, 3), (v) => v.toFixed(3)).join(', ')}); dropped: ${JSON.stringify(mined.dropped)}`);
