import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { buildEncoder, type EncoderConfig } from '../../src/models/encoder.js';
import { loadModel, saveModel } from '../../src/train/savedModel.js';
import {
  buildOptimizer,
  optimizerState,
  parseOptimizerConfig,
  restoreOptimizerState,
  setLearningRate,
  type OptimizerConfig,
} from '../../src/optim/optimizers.js';
import { assertClose, nativeSkip, setup } from '../helpers.js';

before(() => setup('wasm'));
const scratch = mkdtempSync(path.join(tmpdir(), 'hardneg-optim-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const theta0 = [0.5, -1, 2, 0, 1.5, -0.25];
const g1 = [0.1, -0.2, 0.3, -0.4, 0.5, 0.05];
const g2 = [-0.3, 0.1, 0.2, 0.2, -0.1, 0.4];

/** Applies the gradients `grads[i]` at learning rates `lrs[i]` to a [2, 3] variable; returns θ after each step. */
function run(config: OptimizerConfig, grads: number[][], lrs: number[]): Float32Array[] {
  const optimizer = buildOptimizer(config);
  const v = tf.variable(tf.tensor2d(theta0, [2, 3]));
  const out = grads.map((g, i) => {
    setLearningRate(optimizer, lrs[i]);
    optimizer.applyGradients({ [v.name]: tf.tensor2d(g, [2, 3]) });
    return Float32Array.from(v.dataSync());
  });
  optimizer.dispose();
  v.dispose();
  return out;
}

// Float64 updates written from the formulas (torch.optim semantics), element-wise.
test('SGD: momentum, L2 weight decay and Nesterov match the hand-computed float64 update over two steps', () => {
  const [lr1, lr2, mu, wd] = [0.1, 0.05, 0.9, 0.01];
  for (const nesterov of [false, true]) {
    const expected1: number[] = [];
    const expected2: number[] = [];
    theta0.forEach((t0, i) => {
      const d1 = g1[i] + wd * t0;
      const b1 = d1;
      const t1 = t0 - lr1 * (nesterov ? d1 + mu * b1 : b1);
      const d2 = g2[i] + wd * t1;
      const b2 = mu * b1 + d2;
      expected1.push(t1);
      expected2.push(t1 - lr2 * (nesterov ? d2 + mu * b2 : b2));
    });
    const [s1, s2] = run({ kind: 'sgd', lr: lr1, momentum: mu, weightDecay: wd, nesterov }, [g1, g2], [lr1, lr2]);
    assertClose(s1, expected1, 1e-6, `step 1 (nesterov ${nesterov})`);
    assertClose(s2, expected2, 1e-6, `step 2 (nesterov ${nesterov})`);
  }
});

test('Adam and AdamW (decoupled decay) match the hand-computed float64 update over two steps', () => {
  const [lr1, lr2, b1, b2, eps, wd] = [0.1, 0.05, 0.9, 0.999, 1e-8, 0.1];
  for (const decoupled of [false, true]) {
    const expected: number[][] = [[], []];
    theta0.forEach((t0, i) => {
      let t = t0;
      let m = 0;
      let v = 0;
      [g1[i], g2[i]].forEach((g, s) => {
        const lr = s === 0 ? lr1 : lr2;
        if (decoupled) t *= 1 - lr * wd;
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        const mHat = m / (1 - b1 ** (s + 1));
        const vHat = v / (1 - b2 ** (s + 1));
        t -= (lr * mHat) / (Math.sqrt(vHat) + eps);
        expected[s].push(t);
      });
    });
    const config: OptimizerConfig = decoupled ? { kind: 'adamw', lr: lr1, weightDecay: wd } : { kind: 'adam', lr: lr1 };
    const [s1, s2] = run(config, [g1, g2], [lr1, lr2]);
    assertClose(s1, expected[0], 1e-6, `${config.kind} step 1`);
    assertClose(s2, expected[1], 1e-6, `${config.kind} step 2`);
  }
});

test('three steps with a changing learning rate match torch.optim (fixture from bench/reference/optimizer_fixture.py)', () => {
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/optimizers.json', import.meta.url), 'utf8')) as {
    grads: number[][][];
    lrs: number[];
    cases: Record<string, { after_each_step: number[][][] }>;
  };
  const configs: Record<string, OptimizerConfig> = {
    sgd: { kind: 'sgd', lr: 1, momentum: 0.9, weightDecay: 0.01 },
    sgd_nesterov: { kind: 'sgd', lr: 1, momentum: 0.9, weightDecay: 0.01, nesterov: true },
    sgd_plain: { kind: 'sgd', lr: 1, momentum: 0 },
    adam: { kind: 'adam', lr: 1 },
    adamw: { kind: 'adamw', lr: 1, weightDecay: 0.1 },
  };
  assert.deepEqual(Object.keys(fixture.cases).sort(), Object.keys(configs).sort());
  for (const [name, config] of Object.entries(configs)) {
    const steps = run(config, fixture.grads.map((g) => g.flat()), fixture.lrs);
    steps.forEach((s, i) => assertClose(s, fixture.cases[name].after_each_step[i].flat(), 1e-6, `${name} step ${i + 1}`));
  }
});

test('SGD on the native backend updates in place from the second step on and still matches torch.optim', { skip: await nativeSkip() }, async () => {
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/optimizers.json', import.meta.url), 'utf8')) as {
    grads: number[][][];
    lrs: number[];
    cases: Record<string, { after_each_step: number[][][] }>;
  };
  await tf.setBackend('native');
  try {
    for (const [name, nesterov] of [['sgd', false], ['sgd_nesterov', true]] as const) {
      const optimizer = buildOptimizer({ kind: 'sgd', lr: 1, momentum: 0.9, weightDecay: 0.01, nesterov });
      const v = tf.variable(tf.tensor2d(theta0, [2, 3]));
      const initial = v.dataId;
      const ids = fixture.grads.map((g, i) => {
        setLearningRate(optimizer, fixture.lrs[i]);
        tf.tidy(() => optimizer.applyGradients({ [v.name]: tf.tensor2d(g.flat(), [2, 3]) }));
        return v.dataId;
      });
      assert.notEqual(ids[0], initial, 'the first step assigns (its slots are new)');
      assert.deepEqual(ids.slice(1), [ids[0], ids[0]], 'a later step assigned a new tensor instead of updating in place');
      assertClose(v.dataSync(), fixture.cases[name].after_each_step[2].flat(), 1e-6, name);
      optimizer.dispose();
      v.dispose();
    }
  } finally {
    await tf.setBackend('wasm');
  }
});

test('defaults: SGD momentum 0.9 without decay; AdamW decay 0.01; bad configs name the field', () => {
  const sgd = buildOptimizer({ kind: 'sgd', lr: 0.03 }) as tf.MomentumOptimizer & { weightDecay: number };
  assert.deepEqual(sgd.getConfig(), { learningRate: 0.03, momentum: 0.9, useNesterov: false });
  assert.equal(sgd.weightDecay, 0);
  assert.equal((buildOptimizer({ kind: 'adamw', lr: 1e-3 }) as unknown as { weightDecay: number }).weightDecay, 0.01);
  assert.throws(() => parseOptimizerConfig({ kind: 'sgd', lr: 0 }), /parseOptimizerConfig: config\.lr: .*>0, got 0/);
  assert.throws(() => buildOptimizer({ kind: 'adam', lr: 1, beta1: 1 }), /buildOptimizer: config\.beta1: .*<1, got 1/);
  assert.throws(() => parseOptimizerConfig({ kind: 'rmsprop', lr: 1 }), /config\.kind: .*got "rmsprop"/);
  assert.throws(() => setLearningRate(sgd, -1), /setLearningRate: lr must be a finite number >= 0, got -1/);
});

const encoderConfig: EncoderConfig = {
  backbone: { kind: 'cnn', inputShape: [8, 8, 1], widths: [4, 8], blocks: 0, batchNorm: true },
  head: { hiddenDim: 8, outputDim: 4 },
};

/** One training step of the encoder on a fixed batch (loss Σ output²/B). */
function step(model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor): void {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  optimizer.minimize(() => tf.div(tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)), x.shape[0]) as tf.Scalar, false, vars);
}

const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

for (const config of [
  { kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 1e-4 },
  { kind: 'adamw', lr: 1e-3, weightDecay: 0.05 },
] as OptimizerConfig[]) {
  test(`resume (${config.kind}): restored weights and optimizer state reproduce the same next step, in memory and from disk`, async () => {
    const x = tf.tensor4d(new Rng(5).normalArray(6 * 64), [6, 8, 8, 1]);
    const model = buildEncoder(encoderConfig, new Rng(6));
    const optimizer = buildOptimizer(config);
    // 25 steps: enough for Adam's running β₁ᵗ to differ from the power tf.js recomputes on restore.
    for (let i = 0; i < 25; i++) step(model, optimizer, x);
    const savedWeights = model.getWeights().map((w) => tf.clone(w));
    const savedState = await optimizerState(optimizer);
    const dir = path.join(scratch, `resume-${config.kind}`);
    await saveModel(model, dir, { encoder: encoderConfig, optimizer: { className: optimizer.getClassName(), state: savedState } });
    step(model, optimizer, x); // the uninterrupted run's 26th step
    const expected = weightsOf(model);
    assert.equal(optimizer.iterations, 26);

    // In memory: a rebuilt model (other seed) and a fresh optimizer.
    const again = buildEncoder(encoderConfig, new Rng(99));
    again.setWeights(savedWeights);
    const fresh = buildOptimizer(config);
    await restoreOptimizerState(fresh, savedState);
    assert.equal(fresh.iterations, 25);
    step(again, fresh, x);
    assert.deepEqual(weightsOf(again), expected, 'in-memory resume differs');

    // From disk.
    const loaded = await loadModel(dir);
    const fromDisk = buildOptimizer(config);
    await restoreOptimizerState(fromDisk, loaded.optimizerState!);
    step(loaded.model, fromDisk, x);
    assert.deepEqual(weightsOf(loaded.model), expected, 'resume from disk differs');

    // Without the optimizer state the next step differs (the test can tell).
    const cold = buildEncoder(encoderConfig, new Rng(99));
    cold.setWeights(savedWeights);
    step(cold, buildOptimizer(config), x);
    assert.notDeepEqual(weightsOf(cold), expected);
  });
}
