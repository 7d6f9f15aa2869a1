/**
 * MoCo's "shuffled BN" on one device (He et al. 2020, §3.3).
 *
 * In training mode BatchNorm normalises each sample with statistics of its whole batch. If a
 * query and its positive key are normalised with statistics of the same samples, the pair shares
 * a batch "signature" that the queue's negatives (older batches) lack, and the model can find the
 * positive through it instead of through the image: the loss falls, the features do not improve.
 * MoCo splits the batch over GPUs (BN per GPU) and shuffles the key batch across them, so that a
 * query's statistics and its key's come from different subsets. Here the split is
 * `batchNormGroups` (BatchNorm statistics per sub-batch of B/G consecutive samples, see
 * `BatchNorm`):
 *
 *   queries: encoder(x_q) with G sub-batches in batch order;
 *   keys:    encoder(x_k[π]) with G sub-batches, then put back in batch order (π a seeded
 *            permutation), so a key's sub-batch is a random 1/G of the batch.
 *
 * (Running the key encoder in inference mode, on moving statistics, also removes the leak, but in
 * our MNIST runs MoCo then stopped learning: loss flat at 7.4 for 5 epochs, where shuffled BN
 * reached 6.1. Train-mode BN on the query and inference-mode BN on the key are two different
 * functions.) Encoders without BatchNorm ignore `batchNormGroups`; the shuffle changes nothing.
 *
 * Shapes: x `[B, …input]` → `[B, D]`; G must divide B.
 */
import * as tf from '../engine/tf.js';
import { defaultRng, type Rng } from '../engine/random.js';
import { ArgumentError, checkInt } from '../ops/validate.js';
import { BatchNorm } from './batchNorm.js';

/** The layers of `model`, those of its sub-models included. */
function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) => (l instanceof tf.LayersModel ? allLayers(l) : [l]));
}

/** Whether `model` (or a sub-model of it) has a BatchNorm layer (hardneg's or tf.layers'). */
export function hasBatchNorm(model: tf.LayersModel): boolean {
  return allLayers(model).some((l) => l instanceof BatchNorm || l.getClassName() === 'BatchNormalization');
}

/** Sub-batches need hardneg's `BatchNorm`: tf.layers' BatchNormalization would silently use the whole batch. */
function checkGroups(fn: string, model: tf.LayersModel, groups: number): void {
  checkInt(fn, 'groups', groups, 1);
  if (groups > 1 && allLayers(model).some((l) => l.getClassName() === 'BatchNormalization')) {
    throw new ArgumentError(
      `${fn}: the encoder uses tf.layers.batchNormalization, which cannot normalise per sub-batch (groups ${groups}); build it with hardneg's BatchNorm`,
    );
  }
}

/** Queries `encoder(x)` in training mode with BatchNorm statistics per sub-batch (call inside the loss, for the gradient). */
export function encodeQueries(encoder: tf.LayersModel, x: tf.Tensor, groups = 1): tf.Tensor {
  checkGroups('encodeQueries', encoder, groups);
  return encoder.apply(x, { training: true, batchNormGroups: groups }) as tf.Tensor;
}

export interface EncodeKeysOptions {
  /** BatchNorm sub-batches G (1: whole-batch statistics, no shuffle). Default 1. */
  groups?: number;
  /** Draws the shuffle. Default: the process-wide generator. */
  rng?: Rng;
}

/**
 * Keys `keyEncoder(x)` with shuffled BN: training mode, the batch shuffled into G BatchNorm
 * sub-batches, the output returned in the input's order. No gradient is kept.
 */
export function encodeKeys(keyEncoder: tf.LayersModel, x: tf.Tensor, options: EncodeKeysOptions = {}): tf.Tensor {
  const { groups = 1, rng = defaultRng() } = options;
  checkGroups('encodeKeys', keyEncoder, groups);
  if (groups === 1) return tf.tidy(() => keyEncoder.apply(x, { training: true }) as tf.Tensor);
  const n = x.shape[0];
  const order = rng.permutation(n);
  const inverse = new Int32Array(n);
  order.forEach((row, i) => (inverse[row] = i));
  return tf.tidy(() => {
    const shuffled = keyEncoder.apply(tf.gather(x, tf.tensor1d(order, 'int32')), { training: true, batchNormGroups: groups }) as tf.Tensor;
    return tf.gather(shuffled, tf.tensor1d(inverse, 'int32'));
  });
}
