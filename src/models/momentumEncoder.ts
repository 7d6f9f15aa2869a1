/**
 * Momentum (EMA) copy of an encoder, as MoCo's key encoder:
 *
 *   θ_k ← m·θ_k + (1 − m)·θ_q
 *
 * The copy has the same architecture, starts from copies of the source's weights (never shared
 * memory), and is not trainable. The update covers every weight, BatchNorm's moving statistics
 * included. For encoders with BatchNorm, compute keys and queries with `encodeKeys` /
 * `encodeQueries` (`models/shuffledBatchNorm.ts`), which keep the batch statistics from leaking.
 */
import * as tf from '../engine/tf.js';
import { axpbyInPlace } from '../engine/native/inPlace.js';

/** A non-trainable copy of `source` with the same architecture and copied weights. */
export function momentumCopy<T extends tf.LayersModel>(source: T): T {
  const cls = source.constructor as typeof tf.LayersModel;
  const copy = cls.fromConfig(cls, source.getConfig() as unknown as tf.serialization.ConfigDict) as T;
  tf.tidy(() => copy.setWeights(source.getWeights().map((w) => tf.add(w, 0))));
  copy.trainable = false;
  return copy;
}

/** One EMA step `θ_k ← m·θ_k + (1 − m)·θ_q` over matching weights (in place on the native backend). */
export function momentumUpdate(key: tf.LayersModel, query: tf.LayersModel, m: number): void {
  if (!(m >= 0 && m <= 1)) throw new Error(`momentumUpdate: m must be in [0, 1], got ${m}`);
  const kw = key.weights;
  const qw = query.weights;
  if (kw.length !== qw.length) throw new Error(`momentumUpdate: encoders differ (${kw.length} vs ${qw.length} weights)`);
  tf.tidy(() => {
    for (let i = 0; i < kw.length; i++) {
      const [k, q] = [kw[i].read(), qw[i].read()];
      if (!axpbyInPlace(k, m, q, 1 - m)) kw[i].write(tf.add(tf.mul(k, m), tf.mul(q, 1 - m)));
    }
  });
}

