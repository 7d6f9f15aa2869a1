/**
 * Multi-layer perceptron encoder: Dense → ReLU → … → Dense (no activation on the output).
 * Shapes: `[B, inputDim]` → `[B, outputDim]`.
 */
import * as tf from '../engine/tf.js';
import { defaultRng, type Rng } from '../engine/random.js';

export interface MLPConfig {
  inputDim: number;
  /** Widths of the hidden layers, each followed by ReLU. */
  hidden: number[];
  outputDim: number;
}

/** Builds the MLP with He-uniform (ReLU) weights drawn from `rng`, zero biases. */
export function mlp(config: MLPConfig, rng: Rng = defaultRng()): tf.Sequential {
  const widths = [...config.hidden, config.outputDim];
  const model = tf.sequential();
  widths.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: i < widths.length - 1 ? 'relu' : 'linear',
        kernelInitializer: tf.initializers.heUniform({ seed: rng.nextUint32() }),
        ...(i === 0 ? { inputShape: [config.inputDim] } : {}),
      }),
    );
  });
  return model;
}
