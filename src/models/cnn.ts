/**
 * Small CNN / ResNet-style image encoder for 28×28×1 (MNIST) and 32×32×C (CIFAR-like) inputs.
 *
 *   stage 0:  conv3×3 → [BN] → ReLU                         (width w₀)
 *   stage s:  avgpool 2×2 → conv3×3 → [BN] → ReLU            (width w_s, half the resolution)
 *   each stage then has `blocks` residual blocks:
 *             x + [BN₀](conv3×3(ReLU([BN](conv3×3(x)))))  → ReLU
 *   global average pooling → `[B, w_last]` features.
 *
 * With `blocks: 0` it is a plain conv/pool CNN. Downsampling is by 2×2 average pooling, not strided
 * convolutions, and every convolution is 3×3, stride 1, 'same': the shapes the wasm kernel fixes
 * make fast (see `engine/wasm/convGradients.ts`). Weights are He-uniform from a seeded `Rng`;
 * with BatchNormalization (`BatchNorm`, a fast wasm form) the convolutions have no bias, and
 * the last BN of each residual block starts at γ = 0 (each block starts as the identity;
 * Goyal et al. 2017).
 *
 * BatchNorm and MoCo: statistics shared by a query and its key leak which samples share a batch;
 * train MoCo with shuffled BN (`encodeKeys` / `encodeQueries`, `models/shuffledBatchNorm.ts`).
 *
 * Shapes: `[B, H, W, C]` → `[B, widths[widths.length − 1]]`.
 */
import * as tf from '../engine/tf.js';
import { defaultRng, type Rng } from '../engine/random.js';
import { ArgumentError, checkInt } from '../ops/validate.js';
import { BatchNorm } from './batchNorm.js';

export interface CNNConfig {
  /** `[H, W, C]` of one image, e.g. `[28, 28, 1]` or `[32, 32, 3]`. */
  inputShape: [number, number, number];
  /** Channels of each stage; stages after the first halve the resolution first. */
  widths: number[];
  /** Residual blocks per stage (0: a plain CNN). */
  blocks: number;
  /** BatchNormalization after every convolution. */
  batchNorm: boolean;
}

/** Defaults measured on wasm (2 cores): an MNIST MoCo epoch of 8,000 images in ~20 s (see README). */
export const CNN_DEFAULTS: Omit<CNNConfig, 'inputShape'> = { widths: [32, 64, 128], blocks: 0, batchNorm: true };

/** Throws an `ArgumentError` naming the field when `config` is not a valid CNN. */
export function checkCNNConfig(fn: string, config: CNNConfig): void {
  const { inputShape, widths } = config;
  if (!Array.isArray(inputShape) || inputShape.length !== 3) {
    throw new ArgumentError(`${fn}: inputShape must be [H, W, C], got ${JSON.stringify(inputShape)}`);
  }
  inputShape.forEach((d, i) => checkInt(fn, `inputShape[${i}]`, d, 1));
  if (!Array.isArray(widths) || widths.length === 0) {
    throw new ArgumentError(`${fn}: widths must be a non-empty array of channel counts, got ${JSON.stringify(widths)}`);
  }
  widths.forEach((w, i) => checkInt(fn, `widths[${i}]`, w, 1));
  checkInt(fn, 'blocks', config.blocks, 0);
  if (typeof config.batchNorm !== 'boolean') throw new ArgumentError(`${fn}: batchNorm must be a boolean, got ${config.batchNorm}`);
  const smallest = Math.min(inputShape[0], inputShape[1]) / 2 ** (widths.length - 1);
  if (smallest < 1) {
    throw new ArgumentError(`${fn}: widths: ${widths.length} stages halve a ${inputShape[0]}×${inputShape[1]} image below 1 pixel`);
  }
}

/** Builds the encoder as a functional `tf.LayersModel` with weights drawn from `rng`. */
export function cnn(config: CNNConfig, rng: Rng = defaultRng()): tf.LayersModel {
  checkCNNConfig('cnn', config);
  const { batchNorm } = config;
  const conv = (x: tf.SymbolicTensor, filters: number, activation: 'relu' | 'linear' = 'linear'): tf.SymbolicTensor =>
    tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        activation,
        useBias: !batchNorm,
        kernelInitializer: tf.initializers.heUniform({ seed: rng.nextUint32() }),
      })
      .apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor): tf.SymbolicTensor => tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  const norm = (x: tf.SymbolicTensor, gamma: 'ones' | 'zeros'): tf.SymbolicTensor =>
    new BatchNorm({ gammaInitializer: gamma }).apply(x) as tf.SymbolicTensor;
  /** conv → BN → ReLU, or conv with a fused ReLU without BN. */
  const convNormRelu = (x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor =>
    batchNorm ? relu(norm(conv(x, filters), 'ones')) : conv(x, filters, 'relu');
  /** The residual branch's last conv → BN (γ = 0), no activation. */
  const convNorm = (x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor =>
    batchNorm ? norm(conv(x, filters), 'zeros') : conv(x, filters);

  const input = tf.input({ shape: config.inputShape });
  let x = input;
  config.widths.forEach((width, stage) => {
    if (stage > 0) x = tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
    x = convNormRelu(x, width);
    for (let b = 0; b < config.blocks; b++) {
      const branch = convNorm(convNormRelu(x, width), width);
      x = relu(tf.layers.add().apply([x, branch]) as tf.SymbolicTensor);
    }
  });
  const features = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: features });
}
