/**
 * Batch normalization over the last (channel) axis, written for speed on wasm:
 *
 *   training:  x̂ = (x − μ_B) / √(σ²_B + ε),  y = γ·x̂ + β,
 *              μ_B, σ²_B the per-channel mean and biased variance over every other axis (over
 *              each sub-batch with the `batchNormGroups` kwarg: MoCo's shuffled BN);
 *              moving statistics ← m·moving + (1 − m)·batch (the variance unbiased, N/(N − 1),
 *              as PyTorch keeps it);
 *   inference: the same with the moving statistics.
 *
 * The backward pass is the closed form (N rows per channel, sums over rows):
 *   dβ = N·mean(dy),  dγ = N·mean(dy·x̂),  dx = γ/√(σ²_B + ε) · (dy − mean(dy) − x̂·mean(dy·x̂)).
 *
 * tf.layers' `batchNormalization` differentiates through `moments` and tiles `[C]` vectors to the
 * full `[B, H, W, C]` shape, and the wasm backend reduces over leading axes by transposing: a
 * CNN's training step spent ~60% of its time there. Here each direction is one fused kernel on
 * the native backend and, elsewhere, per-channel means as average poolings with every broadcast
 * over the last axis (`batchNormOps.ts`): forward + backward 7–12× faster than tf.layers' at CNN
 * sizes on wasm.
 *
 * Shapes: `[…, C]` → `[…, C]`. Registered for tf.layers serialization as `HardnegBatchNorm`.
 */
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../ops/validate.js';
import { batchNormBackward, batchNormForward } from './batchNormOps.js';

export interface BatchNormArgs {
  /** Moving-average momentum m (PyTorch's momentum 0.1 is m = 0.9). Default 0.9. */
  momentum?: number;
  /** ε added to the variance. Default 1e-5 (PyTorch). */
  epsilon?: number;
  /** γ starts at 1 (`'ones'`, default) or 0 (`'zeros'`: the last norm of a residual branch). */
  gammaInitializer?: 'ones' | 'zeros';
  name?: string;
}

export class BatchNorm extends tf.layers.Layer {
  static className = 'HardnegBatchNorm';
  readonly momentum: number;
  readonly epsilon: number;
  readonly gammaInit: 'ones' | 'zeros';
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  private movingMean!: tf.LayerVariable;
  private movingVariance!: tf.LayerVariable;

  constructor(args: BatchNormArgs = {}) {
    super({ name: args.name });
    this.momentum = args.momentum ?? 0.9;
    this.epsilon = args.epsilon ?? 1e-5;
    this.gammaInit = args.gammaInitializer ?? 'ones';
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels == null) throw new Error(`${this.name}: the channel axis must have a known size, got ${JSON.stringify(shape)}`);
    const init = (name: 'ones' | 'zeros') => (name === 'ones' ? tf.initializers.ones() : tf.initializers.zeros());
    this.gamma = this.addWeight('gamma', [channels], 'float32', init(this.gammaInit), undefined, true);
    this.beta = this.addWeight('beta', [channels], 'float32', init('zeros'), undefined, true);
    this.movingMean = this.addWeight('moving_mean', [channels], 'float32', init('zeros'), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [channels], 'float32', init('ones'), undefined, false);
    this.built = true;
  }

  /**
   * kwargs: `training` (batch statistics and moving-statistics update when true) and
   * `batchNormGroups` (training only: statistics per sub-batch of B/G consecutive samples, G
   * dividing B; default 1), which `model.apply(x, { training: true, batchNormGroups: G })` passes
   * to every BatchNorm of a model.
   */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      const gamma = this.gamma.read();
      const beta = this.beta.read();
      if (kwargs['training'] !== true) {
        const scale = tf.mul(gamma, tf.rsqrt(tf.add(this.movingVariance.read(), this.epsilon)));
        return tf.add(tf.mul(x, scale), tf.sub(beta, tf.mul(this.movingMean.read(), scale)));
      }
      const groups = (kwargs['batchNormGroups'] as number | undefined) ?? 1;
      if (!(Number.isInteger(groups) && groups >= 1 && x.shape[0] % groups === 0)) {
        throw new ArgumentError(`${this.name}: batchNormGroups must be a positive integer dividing the batch size ${x.shape[0]}, got ${groups}`);
      }
      return this.normalizeBatch(x, gamma, beta, groups);
    });
  }

  /** Training-mode forward with the closed-form gradient, per group (`batchNormOps.ts`); updates the moving statistics. */
  private normalizeBatch(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, groups: number): tf.Tensor {
    const n = x.size / x.shape[x.shape.length - 1] / groups;
    type Arg = tf.Tensor | tf.GradSaveFunc;
    const normalize = tf.customGrad((xIn: Arg, gIn: Arg, bIn: Arg, saveArg: Arg) => {
      const forward = batchNormForward(xIn as tf.Tensor, gIn as tf.Tensor, bIn as tf.Tensor, groups, this.epsilon);
      this.updateMovingStatistics(forward.mean, forward.variance, n);
      (saveArg as tf.GradSaveFunc)(forward.saved);
      const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] =>
        batchNormBackward(dy as tf.Tensor, saved, forward.fused, groups, this.epsilon);
      return { value: forward.y, gradFunc };
    });
    return normalize(x, gamma, beta);
  }

  /** moving ← m·moving + (1 − m)·(mean over groups of the group mean / unbiased group variance). */
  private updateMovingStatistics(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    const m = this.momentum;
    const channels = mean.shape[mean.shape.length - 1];
    const overGroups = (t: tf.Tensor) => tf.mean(tf.reshape(t, [-1, channels]), 0);
    const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
    this.movingMean.write(tf.add(tf.mul(this.movingMean.read(), m), tf.mul(overGroups(mean), 1 - m)));
    this.movingVariance.write(tf.add(tf.mul(this.movingVariance.read(), m), tf.mul(overGroups(unbiased), 1 - m)));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon, gammaInitializer: this.gammaInit };
  }
}

tf.serialization.registerClass(BatchNorm);
