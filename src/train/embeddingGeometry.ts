/**
 * Alignment and uniformity (Wang & Isola 2020; `eval/geometry.ts`) of a backbone's features on
 * an image set: alignment over two augmented views of each image (the run's own augmentations,
 * drawn from `Rng(seed)`), uniformity over the plain images' features.
 *
 * Shapes: images `[n, H, W, C]` → two numbers (lower is better for both).
 */
import * as tf from '../engine/tf.js';
import type { AugmentConfig } from '../data/augment/config.js';
import { augmentBatch } from '../data/augment/pipeline.js';
import type { ImageDataset } from '../data/dataset.js';
import { Rng } from '../engine/random.js';
import { alignment, uniformity } from '../eval/geometry.js';
import { datasetFeatures } from './features.js';

export interface EmbeddingGeometry {
  alignment: number;
  uniformity: number;
}

export function embeddingGeometry(backbone: tf.LayersModel, images: ImageDataset, aug: AugmentConfig, seed: number): EmbeddingGeometry {
  const rng = new Rng(seed);
  const all = Int32Array.from({ length: images.labels.length }, (_, i) => i);
  const view = () => ({ ...images, images: augmentBatch(images, all, rng, aug) });
  const [a, b] = [datasetFeatures(backbone, view()), datasetFeatures(backbone, view())];
  const plain = datasetFeatures(backbone, images);
  const result = { alignment: alignment(a, b), uniformity: uniformity(plain) };
  tf.dispose([a, b, plain]);
  return result;
}
