/**
 * Refuses a training step that would exceed the backend's memory, before it runs: on wasm a step
 * too big for the 4 GiB heap aborts the module with `Aborted()` and a stack trace. The estimate
 * (`models/encoderMemory.ts`) comes from the encoder config and the batch size alone.
 */
import * as tf from '../engine/tf.js';
import { backendMemoryLimit } from '../engine/wasm/memoryLimit.js';
import { describeEncoder, type EncoderConfig } from '../models/encoder.js';
import { largestBatchWithin, trainingStepBytes } from '../models/encoderMemory.js';
import { ArgumentError } from '../ops/validate.js';

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/**
 * Throws one line when a training step of `config` at batch size `batch` is estimated to need
 * more memory than the active backend (`backend`, default `tf.getBackend()`) has: the batch size,
 * the encoder, the memory needed, and the way out (the largest batch that fits, a multiple of
 * `multipleOf`, or the native backend). No-op on backends without a fixed ceiling.
 */
export function checkStepMemory(fn: string, config: EncoderConfig, batch: number, multipleOf = 1, backend = tf.getBackend()): void {
  const limit = backendMemoryLimit(backend);
  if (limit === undefined) return;
  const needed = trainingStepBytes(config, batch);
  if (needed <= limit) return;
  const fits = largestBatchWithin(config, limit, multipleOf);
  const smaller = fits > 0 ? `a batch size of at most ${fits}` : 'a smaller encoder';
  throw new ArgumentError(
    `${fn}: batch size ${batch} with the encoder ${describeEncoder(config)} needs about ${gib(needed)} per training step, ` +
      `more than the ${backend} backend's ${gib(limit)}; use ${smaller}, or the native backend (--backend native)`,
  );
}
