import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { parseTrainConfig, type TrainConfig } from '../../src/train/config.js';
import { RunWriter } from '../../src/train/runWriter.js';
import { train } from '../../src/train/train.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

/** A small MoCo/MoCHi config: 1,024 MNIST images, MLP 784→128→32, 3 epochs of 4 steps. */
function smallConfig(name: string, extra: Record<string, unknown> = {}): TrainConfig {
  return parseTrainConfig({
    name,
    task: 'moco',
    seed: 3,
    data: { dataset: 'mnist', limit: 1024 },
    encoder: { backbone: { kind: 'mlp', inputDim: 784, hidden: [128], outputDim: 32 } },
    epochs: 3,
    batchSize: 256,
    optimizer: { kind: 'sgd', lr: 0.3, momentum: 0.9 },
    augment: { crop: { scale: [0.6, 1] } },
    moco: { queue: 512, momentum: 0.9, temperature: 0.2, mochi: { N: 64, s: 32, sPrime: 16, startEpoch: 1 } },
    ...extra,
  });
}

test('a short MoCHi run writes the run directory; kNN beats chance (0.1) by a wide margin', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'hardneg-runs-'));
  const result = await train(smallConfig('small'), { runsDir: runs });
  const run = new RunWriter(join(runs, 'small'));
  const metrics = run.metrics();
  assert.equal(metrics.length, 3);
  assert.deepEqual(metrics.map((m) => m.epoch), [1, 2, 3]);
  for (const key of ['loss', 'lr', 'seconds', 'knn_top1', 'knn_top5', 'proxy_acc', 'fn_share', 'sim_hardest_mean']) assert.ok(key in metrics[2], key);
  assert.ok('sim_mixed_mean' in metrics[2] && !('sim_mixed_mean' in metrics[0]), 'mixing starts at epoch 1 (0-based)');
  assert.ok(result.final.knn_top1 > 0.5, `knn_top1 ${result.final.knn_top1}`);
  const config = run.readJson<{ backend: string; config: TrainConfig; data: { split: { seed: number } } }>('config.json');
  assert.equal(config.backend, 'wasm');
  assert.equal(config.config.moco.mochi?.N, 64);
  const hardness = run.readJson<Record<string, number[]>>('hardness.json');
  assert.ok(hardness.mixed.length > 0 && hardness.queue.length > 0);
  assert.equal(readFileSync(run.file('test-embeddings.npy')).subarray(1, 6).toString(), 'NUMPY');
});

test('a resumed run equals an uninterrupted one (same seed, same backend)', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'hardneg-resume-'));
  const whole = await train(smallConfig('whole'), { runsDir: runs });
  // Stop in the middle of epoch 2 (after its 2nd step), then resume.
  let steps = 0;
  const cut = await train(smallConfig('cut'), { runsDir: runs, hooks: { shouldStop: () => ++steps === 6 } });
  assert.equal(cut.interrupted, true);
  assert.equal(new RunWriter(join(runs, 'cut')).metrics().length, 1);
  const resumed = await train(smallConfig('cut'), { runsDir: runs, resume: true });
  assert.equal(resumed.interrupted, false);
  const a = new RunWriter(join(runs, 'whole')).metrics();
  const b = new RunWriter(join(runs, 'cut')).metrics();
  assert.deepEqual(b.map((m) => m.knn_top1), a.map((m) => m.knn_top1));
  assert.deepEqual(b.map((m) => m.loss), a.map((m) => m.loss)); // the cut epoch too: its partial loss sum is checkpointed
  assert.deepEqual(resumed.final, { ...whole.final, seconds: resumed.final.seconds });
  assert.deepEqual(readFileSync(join(runs, 'cut', 'test-embeddings.npy')), readFileSync(join(runs, 'whole', 'test-embeddings.npy')));
});

test('supervised few-shot runs (CE, CE+SupCon, CE+SCHaNe) complete with comparable metrics', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'hardneg-sup-'));
  for (const loss of ['ce', 'supcon', 'schane']) {
    const config = parseTrainConfig({
      name: `fewshot-${loss}`,
      task: 'supervised',
      data: { dataset: 'mnist' },
      encoder: { backbone: { kind: 'mlp', inputDim: 784, hidden: [128], outputDim: 64 }, head: { hiddenDim: 64, outputDim: 32 } },
      epochs: 12,
      batchSize: 50,
      optimizer: { kind: 'adam', lr: 0.003 },
      supervised: { loss, lambda: 0.5, shots: 10 },
    });
    const { final } = await train(config, { runsDir: runs });
    assert.equal(final.train_images, 100);
    assert.ok(final.test_top1 > 0.4, `${loss}: test_top1 ${final.test_top1}`);
    assert.ok(final.knn_top1 > 0.4, `${loss}: knn_top1 ${final.knn_top1}`);
  }
});

test('a resumed supervised run equals an uninterrupted one', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'hardneg-sup-resume-'));
  const config = (name: string) =>
    parseTrainConfig({
      name,
      task: 'supervised',
      seed: 4,
      data: { dataset: 'mnist', limit: 1024 },
      encoder: { backbone: { kind: 'mlp', inputDim: 784, hidden: [64], outputDim: 32 }, head: { hiddenDim: 32, outputDim: 16 } },
      epochs: 3,
      batchSize: 100,
      optimizer: { kind: 'adam', lr: 0.003 },
      supervised: { loss: 'schane', lambda: 0.5, shots: 20 },
    });
  const whole = await train(config('whole'), { runsDir: runs });
  let steps = 0; // 200 images: 2 steps an epoch; stop after the 1st step of epoch 2
  const cut = await train(config('cut'), { runsDir: runs, hooks: { shouldStop: () => ++steps === 3 } });
  assert.equal(cut.interrupted, true);
  const resumed = await train(config('cut'), { runsDir: runs, resume: true });
  assert.equal(resumed.interrupted, false);
  const a = new RunWriter(join(runs, 'whole')).metrics();
  const b = new RunWriter(join(runs, 'cut')).metrics();
  assert.deepEqual(b.map((m) => [m.loss, m.test_top1, m.knn_top1]), a.map((m) => [m.loss, m.test_top1, m.knn_top1]));
  assert.deepEqual(resumed.final, whole.final);
});

test('config errors name the key; an existing run is not overwritten', async () => {
  const base = { name: 'x', task: 'moco', encoder: { backbone: { kind: 'mlp', inputDim: 784, hidden: [8], outputDim: 4 } }, epochs: 1, optimizer: { kind: 'sgd', lr: 0.1 } };
  assert.throws(() => parseTrainConfig({ ...base, epoch: 3 }), /^ArgumentError: config: Unrecognized key.* \(epoch\)$/);
  assert.throws(() => parseTrainConfig({ ...base, moco: { queue: 'big' } }), /config\.moco\.queue: Invalid input: expected number, received string/);
  assert.throws(() => parseTrainConfig({ ...base, encoder: { backbone: { kind: 'mlp', inputDim: 0, hidden: [], outputDim: 4 } } }), /config\.encoder: config\.backbone\.inputDim/);
  const runs = mkdtempSync(join(tmpdir(), 'hardneg-exists-'));
  const taken = RunWriter.create(runs, 'taken', false);
  taken.writeJson('config.json', {});
  taken.release(); // the writer holds the run's lock until then
  assert.throws(() => RunWriter.create(runs, 'taken', false), /already holds a run: pass --resume/);
  assert.throws(() => RunWriter.create(runs, 'nothing', true), /holds no run to resume/);
});

test('every shipped config under configs/ is valid', async () => {
  const { readdirSync } = await import('node:fs');
  const { readConfig } = await import('../../src/cli/trainCommand.js');
  const files = readdirSync('configs').filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 6);
  for (const f of files) assert.equal(readConfig(`configs/${f}`).name, f.replace('.yaml', ''));
});
