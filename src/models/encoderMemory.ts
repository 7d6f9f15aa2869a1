/**
 * How much memory a training step of an encoder needs, estimated from its config before anything
 * is built (so a run that cannot fit stops with a clear error instead of an out-of-memory abort).
 *
 *   A = activation floats per sample: the input plus every layer's output, as `buildEncoder`
 *       builds it (for the CNN: per stage [pool] conv, BN, ReLU, then per residual block conv, BN,
 *       ReLU, conv, BN, add, ReLU; global pooling; the head's two dense layers);
 *   P = weights (`model.countParams()`);
 *   bytes(B) ≈ 4 · (ACTIVATION_COPIES · A · B + WEIGHT_COPIES · P).
 *
 * ACTIVATION_COPIES covers what a MoCo step keeps alive at its peak: the query forward's saved
 * activations and BatchNorm intermediates, the backward's gradients, the key forward, and the
 * kernels' scratch. Measured on wasm (heap growth over one `mocoStep`, B = 16 and 64, CNN
 * [32,64,128] 28×28×1, CNN [16,32] with 1 block, ResNet [64,128,256] ×2 on 32×32×3; the ResNet
 * also at B = 80 and 112, 3.4 GiB): 4.0–5.3 per activation float, 5.1–5.8 by tf.profile's peak,
 * with BatchNorm composed of stock ops; with `models/batchNormOps.ts` 3.5 (heap) and 4.1 (peak)
 * for the 28×28 CNN at B = 64. 6 keeps a margin. WEIGHT_COPIES: query and key
 * weights, gradient, optimizer state, update temporaries.
 */
import * as tf from '../engine/tf.js';
import type { EncoderConfig } from './encoder.js';

export const ACTIVATION_COPIES = 6;
export const WEIGHT_COPIES = 6;

/** Activation floats per sample of the encoder `config` describes (see the file comment). */
export function activationsPerSample(config: EncoderConfig): number {
  const b = config.backbone;
  let total: number;
  if (b.kind === 'mlp') {
    total = b.inputDim + b.hidden.reduce((s, w) => s + w, 0) + b.outputDim;
  } else {
    let [h, w] = b.inputShape;
    total = h * w * b.inputShape[2];
    const perConv = b.batchNorm ? 3 : 1; // conv, BN, ReLU (ReLU fused into the conv without BN)
    const perBlock = b.batchNorm ? 7 : 4; // conv BN ReLU conv BN add ReLU | conv(ReLU) conv add ReLU
    b.widths.forEach((width, stage) => {
      if (stage > 0) {
        [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
        total += h * w * b.widths[stage - 1];
      }
      total += h * w * width * (perConv + perBlock * b.blocks);
    });
    total += b.widths[b.widths.length - 1]; // global average pooling
  }
  if (config.head) total += config.head.hiddenDim + config.head.outputDim;
  return total;
}

/** Trainable and non-trainable weights of the encoder `config` describes (equals `countParams()`). */
export function weightCount(config: EncoderConfig): number {
  const b = config.backbone;
  const dense = (inputs: number, units: number) => inputs * units + units;
  let total = 0;
  let features: number;
  if (b.kind === 'mlp') {
    const widths = [b.inputDim, ...b.hidden, b.outputDim];
    for (let i = 1; i < widths.length; i++) total += dense(widths[i - 1], widths[i]);
    features = b.outputDim;
  } else {
    // 3×3 kernels; without BN a bias per filter, with BN γ, β and the two moving statistics.
    const conv = (cin: number, cout: number) => 9 * cin * cout + (b.batchNorm ? 4 * cout : cout);
    b.widths.forEach((width, stage) => {
      total += conv(stage === 0 ? b.inputShape[2] : b.widths[stage - 1], width) + 2 * b.blocks * conv(width, width);
    });
    features = b.widths[b.widths.length - 1];
  }
  if (config.head) total += dense(features, config.head.hiddenDim) + dense(config.head.hiddenDim, config.head.outputDim);
  return total;
}

/** Estimated peak bytes of one training step at batch size `batch` (see the file comment). */
export function trainingStepBytes(config: EncoderConfig, batch: number): number {
  return 4 * (ACTIVATION_COPIES * activationsPerSample(config) * batch + WEIGHT_COPIES * weightCount(config));
}

/** The largest batch (a multiple of `multipleOf`) whose estimated step fits in `bytes`; 0 if none. */
export function largestBatchWithin(config: EncoderConfig, bytes: number, multipleOf = 1): number {
  const perSample = 4 * ACTIVATION_COPIES * activationsPerSample(config);
  const batch = Math.floor((bytes - 4 * WEIGHT_COPIES * weightCount(config)) / perSample);
  return Math.max(0, batch - (batch % multipleOf));
}

/** The same count from a built model: its input plus every (nested) layer's output, per sample. */
export function modelActivationsPerSample(model: tf.LayersModel): number {
  const size = (shape: tf.Shape) => shape.slice(1).reduce<number>((p, d) => p * (d ?? 1), 1);
  const leaves = (m: tf.LayersModel): tf.layers.Layer[] =>
    m.layers.flatMap((l) => (l instanceof tf.LayersModel ? leaves(l) : [l]));
  const outputs = leaves(model).filter((l) => l.getClassName() !== 'InputLayer');
  return size(model.inputs[0].shape) + outputs.reduce((s, l) => s + size(l.outputShape as tf.Shape), 0);
}
