/**
 * Momentum (EMA) copy of an encoder, as MoCo's key encoder:
 *
 *   θ_k ← m·θ_k + (1 − m)·θ_q
 *
 * The copy has the same architecture, starts from copies of the source's weights (never shared
 * memory), and is not trainable. The update covers every weight, BatchNorm's moving statistics
 * included, so the key encoder's statistics follow the query encoder's.
 *
 * BatchNorm leakage (MoCo §3.3): a key encoder that normalises with its own batch's statistics
 * lets a query find its positive key through what the batch shares rather than through the image
 * (MoCo shuffles the key batch across GPUs: "shuffled BN"). hardneg runs the key encoder in
 * inference mode instead (`encodeKeys`): BN uses the moving statistics, each key depends on its
 * own image only, so no batch statistic can leak; it costs nothing and needs no sub-batches.
 * The query encoder keeps batch statistics (training mode), as in MoCo.
 */
import * as tf from '@tensorflow/tfjs';

/** A non-trainable copy of `source` with the same architecture and copied weights. */
export function momentumCopy<T extends tf.LayersModel>(source: T): T {
  const cls = source.constructor as typeof tf.LayersModel;
  const copy = cls.fromConfig(cls, source.getConfig() as unknown as tf.serialization.ConfigDict) as T;
  tf.tidy(() => copy.setWeights(source.getWeights().map((w) => tf.add(w, 0))));
  copy.trainable = false;
  return copy;
}

/** One EMA step `θ_k ← m·θ_k + (1 − m)·θ_q` over matching weights. */
export function momentumUpdate(key: tf.LayersModel, query: tf.LayersModel, m: number): void {
  if (!(m >= 0 && m <= 1)) throw new Error(`momentumUpdate: m must be in [0, 1], got ${m}`);
  const kw = key.weights;
  const qw = query.weights;
  if (kw.length !== qw.length) throw new Error(`momentumUpdate: encoders differ (${kw.length} vs ${qw.length} weights)`);
  tf.tidy(() => {
    for (let i = 0; i < kw.length; i++) kw[i].write(tf.add(tf.mul(kw[i].read(), m), tf.mul(qw[i].read(), 1 - m)));
  });
}

/**
 * Keys `keyEncoder(x)` in inference mode (BatchNorm on moving statistics, dropout off): each row
 * depends on its own input only. Shapes: `[B, …input]` → the encoder's output `[B, D]`.
 */
export function encodeKeys(keyEncoder: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => keyEncoder.apply(x, { training: false }) as tf.Tensor);
}
