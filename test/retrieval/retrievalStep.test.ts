import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { reverseDictionary } from '../../src/experiments/reverseDictionary.js';
import { Rng } from '../../src/engine/random.js';
import { mnrl } from '../../src/losses/mnrl.js';
import { Adapter } from '../../src/models/adapter.js';
import { packBags } from '../../src/models/embeddingBag.js';
import { HashedTextEncoder } from '../../src/models/textEncoder.js';
import { AdapterTrainer, TextEncoderTrainer } from '../../src/retrieval/retrievalStep.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

/** Share of queries whose own document (row i) is the most similar of all `[n, D]` documents. */
function recallAt1(queries: Float32Array, docs: Float32Array, D: number): number {
  const n = queries.length / D;
  const best = tf.tidy(() => Array.from(tf.argMax(tf.matMul(tf.tensor2d(queries, [n, D]), tf.tensor2d(docs, [n, D]), false, true), 1).dataSync()));
  return best.filter((b, i) => b === i).length / n;
}

const split = (e: tf.Tensor2D, B: number) => [e.slice([0, 0], [B, -1]), e.slice([B, 0], [B, -1])] as [tf.Tensor2D, tf.Tensor2D];

test('the text encoder learns WordNet definitions → lemmas: loss falls, recall@1 rises', () => {
  const rd = reverseDictionary({ train: 512, dev: 0, test: 0 });
  const enc = new HashedTextEncoder({ buckets: 1 << 14, dim: 32, hidden: 64 }, new Rng(0));
  const queries = rd.split.train.map((q) => enc.features(rd.queries[q].text));
  const docs = rd.split.train.map((q) => enc.features(rd.docs[rd.queries[q].doc].text));
  const before = recallAt1(enc.encode(queries), enc.encode(docs), 32);
  const trainer = new TextEncoderTrainer(enc, { lr: 3e-3, tableLr: 0.03 });
  const B = 64;
  const losses: number[] = [];
  const rng = new Rng(1);
  for (let epoch = 0; epoch < 6; epoch++) {
    const order = rng.permutation(512);
    for (let s = 0; s < 512 / B; s++) {
      const idx = Array.from(order.subarray(s * B, (s + 1) * B));
      const bags = packBags([...idx.map((i) => queries[i]), ...idx.map((i) => docs[i])]);
      losses.push(trainer.step(bags, (e) => mnrl(...split(e, B))));
    }
  }
  const after = recallAt1(enc.encode(queries), enc.encode(docs), 32);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean(losses.slice(-8)) < 0.5 * mean(losses.slice(0, 8)), `loss ${mean(losses.slice(0, 8))} → ${mean(losses.slice(-8))}`);
  assert.ok(after > before + 0.3, `recall@1 ${before} → ${after}`);
  trainer.dispose();
  enc.dispose();
});

test('a query-side linear adapter undoes a rotation between query and document vectors (held-out pairs)', () => {
  const rng = new Rng(2);
  const [D, nTrain, nTest] = [16, 256, 128];
  const n = nTrain + nTest;
  const docs = rng.normalArray(n * D);
  // Queries: a fixed random linear map of their document plus noise.
  const queries = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(docs, [n, D]), tf.tensor2d(rng.normalArray(D * D), [D, D])), tf.tensor2d(rng.normalArray(n * D, 0, 0.2), [n, D])).dataSync() as Float32Array);
  const held = (x: Float32Array) => x.subarray(nTrain * D);
  const adapter = new Adapter({ dim: D }, rng);
  const before = recallAt1(adapter.encode(held(queries)), held(docs), D);
  const trainer = new AdapterTrainer(adapter, { lr: 0.05 });
  const q = tf.tensor2d(queries.subarray(0, nTrain * D), [nTrain, D]);
  const d = tf.tensor2d(docs.subarray(0, nTrain * D), [nTrain, D]);
  const first = trainer.step(q, (aq) => mnrl(aq, d));
  let last = first;
  for (let s = 0; s < 400; s++) last = trainer.step(q, (aq) => mnrl(aq, d));
  const after = recallAt1(adapter.encode(held(queries)), held(docs), D);
  assert.ok(last < 0.3 * first, `loss ${first} → ${last}`);
  assert.ok(before < 0.3 && after > 0.8, `held-out recall@1 ${before} → ${after}`);
  tf.dispose([q, d]);
  trainer.dispose();
  adapter.dispose();
});
