/**
 * From images to a model: batches as model inputs (optionally as two augmented views), and the
 * backbone features of a whole image set.
 */
import * as tf from '../engine/tf.js';
import type { AugmentConfig } from '../data/augment/config.js';
import { augmentBatch } from '../data/augment/pipeline.js';
import type { ImageDataset } from '../data/dataset.js';
import type { Rng } from '../engine/random.js';
import { backendMemoryLimit } from '../engine/wasm/memoryLimit.js';
import { modelActivationsPerSample } from '../models/encoderMemory.js';

/** Reshapes a batch of images to the model's input: `[b, H·W·C]` for flat inputs, else `[b, H, W, C]`. */
export function toInput(images: Float32Array, count: number, dataShape: number[], inputShape: (number | null)[]): tf.Tensor {
  const [, h, w, c] = dataShape;
  return inputShape.length === 2 ? tf.tensor2d(images, [count, h * w * c]) : tf.tensor4d(images, [count, h, w, c]);
}

/** Two augmented views of the images `indices`, drawn in turn from `rng`, as model inputs. */
export function augmentedViews(data: ImageDataset, indices: Int32Array, rng: Rng, aug: AugmentConfig, inputShape: (number | null)[]): [tf.Tensor, tf.Tensor] {
  const shape = [...data.shape];
  const n = indices.length;
  return [toInput(augmentBatch(data, indices, rng, aug), n, shape, inputShape), toInput(augmentBatch(data, indices, rng, aug), n, shape, inputShape)];
}

/** Default images per forward chunk of `datasetFeatures`. */
export const FEATURE_CHUNK = 500;

/**
 * Images per forward chunk: `FEATURE_CHUNK`, fewer when the chunk's activations (every layer's
 * output is held until the chunk ends) would take more than a quarter of the backend's fixed
 * memory (wasm: 4 GiB; a 32×32×3 ResNet [64,128,256] ×2 holds ~8 MB per image, so 500 images
 * would abort the module). At least 1.
 */
export function featureChunk(model: tf.LayersModel, backend = tf.getBackend()): number {
  const limit = backendMemoryLimit(backend);
  if (limit === undefined) return FEATURE_CHUNK;
  const perImage = 4 * modelActivationsPerSample(model);
  return Math.max(1, Math.min(FEATURE_CHUNK, Math.floor(limit / 4 / perImage)));
}

/** Backbone features of a whole image set `[n, H, W, C]` → `[n, D]`, in chunks, in inference mode (BatchNorm on moving statistics). */
export function datasetFeatures(backbone: tf.LayersModel, data: ImageDataset, chunk = featureChunk(backbone)): tf.Tensor2D {
  const [n, h, w, c] = data.shape;
  const size = h * w * c;
  const parts: tf.Tensor[] = [];
  for (let i = 0; i < n; i += chunk) {
    const count = Math.min(chunk, n - i);
    parts.push(
      tf.tidy(() => {
        const x = toInput(data.images.subarray(i * size, (i + count) * size), count, data.shape, backbone.inputs[0].shape);
        const f = backbone.apply(x, { training: false }) as tf.Tensor;
        return tf.reshape(f, [count, -1]);
      }),
    );
  }
  const out = tf.concat(parts, 0) as tf.Tensor2D;
  tf.dispose(parts);
  return out;
}
