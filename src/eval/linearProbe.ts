/**
 * Linear probe: a logistic-regression classifier trained on frozen features, the standard
 * measure of how linearly separable a representation's classes are.
 *
 *   W, b = argmin mean_i CE(W·x̂_i + b, y_i) + (wd/2)‖W‖²,   x̂ = standardised features
 *
 * Full-batch Adam (lr 0.01, `epochs` passes, weight decay 1e-4) on features standardised with the
 * training set's mean and std; reports top-1 on the test features. Seeded, deterministic on one
 * backend. Shapes: train `[n, D]`, test `[m, D]`, labels `[n]` / `[m]` in 0..classes−1.
 */
import * as tf from '../engine/tf.js';
import { crossEntropy } from '../ops/crossEntropy.js';
import { ArgumentError, checkInt, checkShape } from '../ops/validate.js';
import { readValues } from '../ops/readValues.js';

export interface LinearProbeOptions {
  epochs?: number;
  lr?: number;
  weightDecay?: number;
  seed?: number;
}

export function linearProbe(
  train: tf.Tensor2D,
  trainLabels: ArrayLike<number>,
  test: tf.Tensor2D,
  testLabels: ArrayLike<number>,
  options: LinearProbeOptions = {},
): { top1: number; trainTop1: number } {
  const fn = 'linearProbe';
  const { epochs = 200, lr = 0.01, weightDecay = 1e-4, seed = 0 } = options;
  checkShape(fn, 'train', train, [trainLabels.length, -1]);
  checkShape(fn, 'test', test, [testLabels.length, train.shape[1]]);
  checkInt(fn, 'epochs', epochs, 1);
  let classes = 0;
  for (let i = 0; i < trainLabels.length; i++) classes = Math.max(classes, trainLabels[i] + 1);
  if (classes < 2) throw new ArgumentError(`${fn}: needs at least 2 classes in trainLabels, got ${classes}`);
  const { mean, variance } = tf.moments(train, 0);
  const std = tf.sqrt(tf.add(variance, 1e-8));
  const standardise = (x: tf.Tensor2D) => tf.div(tf.sub(x, mean), std) as tf.Tensor2D;
  const xs = tf.tidy(() => standardise(train));
  const ys = tf.tensor1d(Int32Array.from(trainLabels), 'int32');
  const W = tf.variable(tf.randomNormal([train.shape[1], classes], 0, 0.01, 'float32', seed));
  const b = tf.variable(tf.zeros([classes]));
  const optimizer = tf.train.adam(lr);
  for (let e = 0; e < epochs; e++) {
    optimizer.minimize(() => tf.add(crossEntropy(tf.add(tf.matMul(xs, W), b) as tf.Tensor2D, ys), tf.mul(weightDecay / 2, tf.sum(tf.square(W)))) as tf.Scalar, false, [W, b]);
  }
  const accuracy = (x: tf.Tensor2D, labels: ArrayLike<number>) => {
    const predicted = readValues(() => tf.argMax(tf.add(tf.matMul(x, W), b), 1), 'int32');
    let hit = 0;
    for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hit++;
    return hit / labels.length;
  };
  const xt = tf.tidy(() => standardise(test));
  const result = { top1: accuracy(xt, testLabels), trainTop1: accuracy(xs, trainLabels) };
  tf.dispose([mean, variance, std, xs, ys, W, b, xt]);
  optimizer.dispose();
  return result;
}
