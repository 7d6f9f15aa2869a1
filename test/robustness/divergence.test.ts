/**
 * Divergence: a non-finite loss, gradient or weight stops a run at that step with a one-line error
 * naming the epoch, the step and the likely setting, keeping the last good checkpoint; with
 * `nonFinite: 'skip'` the step is skipped and counted. NaN is injected at a chosen step, and real
 * divergences are provoked with a huge learning rate or a tiny temperature.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { DivergenceError, guardedMinimize, NonFiniteStep } from '../../src/optim/guardedStep.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { runEpochs } from '../../src/train/epochLoop.js';
import { RunWriter } from '../../src/train/runWriter.js';
import { train } from '../../src/train/train.js';
import { AdapterTrainer } from '../../src/retrieval/retrievalStep.js';
import { trainRetrieval } from '../../src/retrieval/retrievalTrainer.js';
import { AdapterRetriever, type Retriever } from '../../src/retrieval/retrievers.js';
import { Adapter } from '../../src/models/adapter.js';
import { Rng } from '../../src/engine/random.js';
import { setup } from '../helpers.js';
import { tinyConfig } from './suiteHelpers.js';

before(() => setup('wasm'));

test('guardedMinimize applies exactly what minimize applies, and nothing when the loss is NaN', () => {
  const x = tf.tensor2d([[1, 2], [3, -1]]);
  const make = () => tf.variable(tf.tensor2d([[0.5, -0.25], [0.125, 1]]));
  const [a, b] = [make(), make()];
  const [oa, ob] = [tf.train.adam(0.1), tf.train.adam(0.1)];
  const f = (w: tf.Variable) => () => tf.sum(tf.square(tf.matMul(x, w))) as tf.Scalar;
  for (let i = 0; i < 3; i++) {
    oa.minimize(f(a), false, [a]);
    guardedMinimize(ob, f(b), [b]);
  }
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
  const before = Array.from(b.dataSync());
  assert.throws(() => guardedMinimize(ob, () => tf.mul(tf.sum(b), NaN) as tf.Scalar, [b]), (e: Error) => e instanceof NonFiniteStep && e.nonFinite === 'loss');
  assert.throws(() => guardedMinimize(ob, () => tf.sum(tf.sqrt(tf.sub(b, b))) as tf.Scalar, [b]), (e: Error) => e instanceof NonFiniteStep && e.nonFinite === 'gradients');
  assert.deepEqual(Array.from(b.dataSync()), before);
  const adapter = new Adapter({ dim: 2, kind: 'linear' }, new Rng(0));
  const weights = adapter.weights.map((w) => Array.from(w.dataSync()));
  assert.throws(() => new AdapterTrainer(adapter).step(x, (e) => tf.mul(tf.sum(e), Infinity) as tf.Scalar), NonFiniteStep);
  assert.deepEqual(adapter.weights.map((w) => Array.from(w.dataSync())), weights);
});

/** The epoch loop over fake steps: `bad` steps (global index) throw a NonFiniteStep of `cause`. */
async function fakeLoop(nonFinite: 'stop' | 'skip', bad: number[], cause: 'loss' | 'weights' = 'loss') {
  const run = new RunWriter(mkdtempSync(join(tmpdir(), 'hardneg-fake-')));
  const saves: number[][] = [];
  const interrupted = await runEpochs({
    epochs: 2, stepsPerEpoch: 4, start: { epoch: 0, step: 0 }, run, hooks: {}, optimizer: tf.train.sgd(0.1), lr: () => 0.1,
    nonFinite, suspects: 'optimizer.lr 0.1 too high',
    step: (epoch, step) => {
      if (bad.includes(epoch * 4 + step)) throw new NonFiniteStep(NaN, cause);
      return epoch * 4 + step + 1;
    },
    endEpoch: (epoch, meanLoss) => ({ epoch: epoch + 1, loss: meanLoss }),
    save: async (p) => void saves.push([p.epoch, p.step]),
  });
  return { interrupted, metrics: run.metrics(), saves };
}

test('NaN injected at one step: stop names epoch and step and keeps the last checkpoint; skip counts it', async () => {
  await assert.rejects(fakeLoop('stop', [5]), (e: Error) =>
    e instanceof DivergenceError &&
    e.message.startsWith('epoch 2/2 step 2/4: the run diverged (loss NaN); likely cause: optimizer.lr 0.1 too high; the latest checkpoint (resuming at epoch 2 step 1) is kept.'));
  await assert.rejects(fakeLoop('stop', [0]), /epoch 1\/2 step 1\/4: .*; no checkpoint was written/);
  const skipped = await fakeLoop('skip', [5]);
  assert.deepEqual(skipped.metrics, [{ epoch: 1, loss: 2.5, skipped_steps: 0 }, { epoch: 2, loss: (5 + 7 + 8) / 3, skipped_steps: 1 }]);
  await assert.rejects(fakeLoop('skip', [2], 'weights'), /epoch 1\/2 step 3\/4: the run diverged \(loss NaN but the update made weights non-finite\)/);
  await assert.rejects(fakeLoop('skip', [4, 5, 6, 7]), /epoch 2\/2 step 4\/4 \(every step of the epoch non-finite\)/);
});

test('MoCo at lr 10 with weight decay 1e4 stops at the first non-finite step, naming it and optimizer.lr; the last good checkpoint stays the latest', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'hardneg-nan-'));
  // Weight decay 1e4 at lr 10 multiplies the weights by about −1e5 per step; epoch 1 ends with huge
  // but finite weights, epoch 2's first forward pass overflows (the run is bit-reproducible on one backend).
  const config = tinyConfig('lr', { optimizer: { kind: 'sgd', lr: 10, momentum: 0.9, weightDecay: 1e4 } });
  await assert.rejects(train(config, { runsDir: runs }), (e: Error) => e instanceof DivergenceError && e.message === 'epoch 2/2 step 1/4: the run diverged (loss NaN); likely cause: optimizer.lr 10 too high, or moco.temperature 0.2 too low; the latest checkpoint (resuming at epoch 2 step 1) is kept. Lower the learning rate (or raise the temperature) and rerun; or skip such steps with --skip-nonfinite');
  const metrics = new RunWriter(join(runs, 'lr')).metrics();
  assert.deepEqual(metrics.map((m) => [m.epoch, Number.isFinite(m.loss)]), [[1, true]]);
  const checkpoint = await loadCheckpoint(join(runs, 'lr'));
  assert.deepEqual(checkpoint?.position, { epoch: 1, step: 0 });
  assert.equal(checkpoint!.model.getWeights().every((w) => w.dataSync().every(Number.isFinite)), true);
  // With skip, every step of epoch 2 is non-finite: the run still stops, naming that.
  await assert.rejects(train({ ...config, nonFinite: 'skip' }, { runsDir: runs, resume: true }), /^DivergenceError: epoch 2\/2 step 4\/4 \(every step of the epoch non-finite\)/);
});

test('supervised: SupCon at lr 10 with weight decay 1e4 stops naming optimizer.lr and supervised.temperature', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'hardneg-nan-'));
  const config = tinyConfig('sup', {
    task: 'supervised',
    optimizer: { kind: 'sgd', lr: 10, momentum: 0.9, weightDecay: 1e4 },
    supervised: { loss: 'supcon', lambda: 0.5, temperature: 0.1 },
  });
  await assert.rejects(train(config, { runsDir: runs }), /^DivergenceError: epoch [12]\/2 step [1-4]\/4: the run diverged \(.*\); likely cause: optimizer\.lr 10 too high, or supervised\.temperature 0\.1 too low; /);
  assert.ok(new RunWriter(join(runs, 'sup')).metrics().every((m) => Number.isFinite(m.loss)));
});

test('retrieval: a NaN injected at step 2 of epoch 2 stops the trainer naming it and the flags; skip trains on', () => {
  const rng = new Rng(3);
  const [n, D] = [32, 4];
  const vectors = rng.normalArray(n * D);
  const inner = new AdapterRetriever(new Adapter({ dim: D }, new Rng(1)), vectors, vectors, { lr: 1e-3 });
  let calls = 0;
  const retriever: Retriever = {
    dim: D,
    embedQueries: (i) => inner.embedQueries(i),
    embedDocs: (i) => inner.embedDocs(i),
    step: (q, p, neg, loss) => inner.step(q, p, neg, ++calls === 6 ? (a, b, c) => tf.mul(loss(a, b, c), NaN) as tf.Scalar : loss),
    dispose: () => inner.dispose(),
  };
  const pairs = { queries: Array.from({ length: n }, (_, i) => i), positives: Array.from({ length: n }, (_, i) => i), corpusSize: n };
  const options = { negatives: 'in-batch' as const, epochs: 2, batchSize: 8, suspects: '--lr 0.001 too high' };
  assert.throws(() => trainRetrieval(retriever, pairs, options), /^DivergenceError: epoch 2\/2 step 2\/4: the run diverged \(loss NaN\); likely cause: --lr 0\.001 too high; nothing was saved/);
  calls = 0;
  const reports = trainRetrieval(retriever, pairs, { ...options, nonFinite: 'skip' });
  assert.deepEqual(reports.map((r) => r.skippedSteps), [0, 1]);
  assert.ok(reports.every((r) => Number.isFinite(r.meanLoss)));
  retriever.dispose();
});
