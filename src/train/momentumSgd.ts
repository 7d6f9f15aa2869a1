/**
 * SGD with momentum, as `tf.train.momentum` (and PyTorch's `SGD(momentum=m)`):
 *
 *   v ← m·v + g,   θ ← θ − lr·v        (nesterov: θ ← θ − lr·(g + m·v))
 *
 * On the native backend both updates are one in-place pass over θ and v once their arrays are
 * the backend's own (from the second step on); elsewhere, and whenever in place is not safe, the
 * same update runs as ops. Weights (`getWeights`/`setWeights`) and config match
 * `tf.train.momentum`, so checkpoints are interchangeable.
 */
import * as tf from '@tensorflow/tfjs';
import { momentumInPlace } from '../engine/native/inPlace.js';

interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

export class MomentumSGD extends tf.MomentumOptimizer {
  private slots: Slot[] = [];
  private readonly decay: number;
  private readonly lookahead: boolean;

  constructor(learningRate: number, momentum: number, useNesterov = false) {
    super(learningRate, momentum, useNesterov);
    this.decay = momentum;
    this.lookahead = useNesterov;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients);
    entries.forEach(([name, gradient], i) => {
      const value = tf.engine().registeredVariables[name];
      if (this.slots[i] === undefined) {
        this.slots[i] = { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      const velocity = this.slots[i].variable;
      if (gradient == null || momentumInPlace(value, velocity, gradient, this.learningRate, this.decay, this.lookahead)) return;
      tf.tidy(() => {
        const v = tf.add(tf.mul(velocity, this.decay), gradient);
        const step = this.lookahead ? tf.add(gradient, tf.mul(v, this.decay)) : v;
        velocity.assign(v);
        value.assign(tf.sub(value, tf.mul(step, this.learningRate)));
      });
    });
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [await this.saveIterations(), ...this.slots.map((s) => ({ name: s.originalName, tensor: s.variable }))];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    tf.dispose(this.slots.map((s) => s.variable));
    this.slots = rest.map((v) => ({ originalName: v.name, variable: v.tensor.variable(false) }));
  }

  override dispose(): void {
    super.dispose();
    this.c.dispose(); // −lr, which MomentumOptimizer.dispose forgets
    tf.dispose(this.slots.map((s) => s.variable));
    this.slots = [];
  }
}

/** `new MomentumSGD(learningRate, momentum, useNesterov)`, the drop-in for `tf.train.momentum`. */
export function momentumSgd(learningRate: number, momentum: number, useNesterov = false): MomentumSGD {
  return new MomentumSGD(learningRate, momentum, useNesterov);
}
