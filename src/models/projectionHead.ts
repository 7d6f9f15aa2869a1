/**
 * MoCo v2 projection head (Chen et al. 2020): Dense → ReLU → Dense, on top of a backbone's
 * features; the contrastive loss sees the head's output, evaluation uses the backbone's features.
 *
 * Shapes: head `[B, inputDim]` → `[B, outputDim]`; `withHead(backbone, head)`: the backbone's input
 * → `[B, outputDim]`.
 */
import * as tf from '../engine/tf.js';
import { defaultRng, type Rng } from '../engine/random.js';
import { ArgumentError, checkInt } from '../ops/validate.js';

export interface ProjectionHeadConfig {
  /** Width of the hidden layer (MoCo v2: the backbone's feature dim, 2048 for ResNet-50). */
  hiddenDim: number;
  /** Output (embedding) dim (MoCo v2: 128). */
  outputDim: number;
}

/** Name of the backbone sub-model inside a model built by `withHead`. */
export const BACKBONE_NAME = 'backbone';
/** Name of the head sub-model inside a model built by `withHead`. */
export const HEAD_NAME = 'head';

/** The head `inputDim → hiddenDim → ReLU → outputDim`, He-uniform weights from `rng`, zero biases. */
export function projectionHead(inputDim: number, config: ProjectionHeadConfig, rng: Rng = defaultRng()): tf.Sequential {
  checkInt('projectionHead', 'inputDim', inputDim, 1);
  checkInt('projectionHead', 'hiddenDim', config.hiddenDim, 1);
  checkInt('projectionHead', 'outputDim', config.outputDim, 1);
  const dense = (units: number, activation: 'relu' | 'linear', inputShape?: number[]) =>
    tf.layers.dense({
      units,
      activation,
      kernelInitializer: tf.initializers.heUniform({ seed: rng.nextUint32() }),
      ...(inputShape ? { inputShape } : {}),
    });
  return tf.sequential({
    name: HEAD_NAME,
    layers: [dense(config.hiddenDim, 'relu', [inputDim]), dense(config.outputDim, 'linear')],
  });
}

/**
 * One model `head(backbone(x))`. The two parts are used, not copied, and become sub-models
 * renamed `backbone` and `head` (so that `backboneOf` finds them, also after a save and load).
 */
export function withHead(backbone: tf.LayersModel, head: tf.LayersModel): tf.LayersModel {
  const features = backbone.outputs[0].shape[backbone.outputs[0].shape.length - 1];
  const expects = head.inputs[0].shape[head.inputs[0].shape.length - 1];
  if (features !== expects) {
    throw new ArgumentError(`withHead: the head expects ${expects} features, the backbone gives ${features}`);
  }
  const input = tf.input({ shape: backbone.inputs[0].shape.slice(1) as number[] });
  backbone.name = BACKBONE_NAME;
  head.name = HEAD_NAME;
  const output = head.apply(backbone.apply(input)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'encoder' });
}

/**
 * The backbone of an encoder (the features before the head, for kNN / linear-probe evaluation):
 * the `backbone` sub-model of a `withHead` model, or the model itself when it has no head.
 * Shares weights with `model`.
 */
export function backboneOf(model: tf.LayersModel): tf.LayersModel {
  const inner = model.layers.find((l) => l.name === BACKBONE_NAME);
  return inner instanceof tf.LayersModel ? inner : model;
}
