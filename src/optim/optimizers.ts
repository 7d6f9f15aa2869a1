/**
 * Optimizers with PyTorch's update rules, built on tf.train's classes, and their state for resume.
 *
 * SGD (torch.optim.SGD, dampening 0), per variable θ with gradient g, weight decay λ, momentum μ:
 *   g ← g + λ·θ   (L2, "coupled" weight decay);   b ← μ·b + g;   θ ← θ − lr·b
 *   (Nesterov: θ ← θ − lr·(g + μ·b)).
 * Adam (torch.optim.Adam), step t from 1:
 *   m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  θ ← θ − lr·m̂ / (√v̂ + ε),  m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ).
 * AdamW (torch.optim.AdamW, Loshchilov & Hutter): decoupled weight decay, θ ← θ·(1 − lr·λ), then Adam.
 *
 * Weight decay applies to every variable that gets a gradient (PyTorch's default parameter group).
 * On the native backend SGD updates θ and b in place, one pass per variable, from the second step
 * on (once the arrays are the backend's own; see `engine/native/inPlace.ts`).
 * The learning rate can change every step: `setLearningRate` (tf.train's SGD caches −lr in a
 * tensor, so assigning its `learningRate` field alone would not take effect).
 * `optimizerState` / `restoreOptimizerState` save and restore step count and slots
 * (`getWeights`/`setWeights`); the slots follow the order of the variables in the first step, so a
 * resumed run must minimise over the same variables in the same order (a rebuilt model does).
 */
import * as tf from '../engine/tf.js';
import { z } from 'zod';
import { momentumInPlace } from '../engine/native/inPlace.js';
import { ArgumentError } from '../ops/validate.js';

export type OptimizerConfig =
  | { kind: 'sgd'; lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number }
  | { kind: 'adam'; lr: number; beta1?: number; beta2?: number; epsilon?: number }
  | { kind: 'adamw'; lr: number; beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number };

/** Defaults (PyTorch's, except SGD's momentum 0.9 as in MoCo): `buildOptimizer` fills these in. */
export const OPTIMIZER_DEFAULTS = {
  sgd: { momentum: 0.9, nesterov: false, weightDecay: 0 },
  adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  adamw: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 },
} as const;

/** What `tf.Optimizer.applyGradients` takes: a map or a list of `{ name, tensor }` by variable name. */
type Gradients = Parameters<tf.MomentumOptimizer['applyGradients']>[0];
type Named = { name: string; tensor: tf.Tensor | null };

function namedList(grads: Gradients): Named[] {
  return Array.isArray(grads) ? grads : Object.keys(grads).map((name) => ({ name, tensor: grads[name] }));
}

function variableNamed(name: string): tf.Variable {
  const v = tf.engine().registeredVariables[name];
  if (v === undefined) throw new Error(`optimizer: no variable named '${name}'`);
  return v;
}

/** SGD with momentum and L2 weight decay added to the gradient (torch.optim.SGD). */
export class SGD extends tf.MomentumOptimizer {
  static override get className(): string {
    return 'HardnegSGD';
  }

  constructor(learningRate: number, momentum: number, readonly weightDecay = 0, useNesterov = false) {
    super(learningRate, momentum, useNesterov);
  }

  override applyGradients(grads: Gradients): void {
    if (this.weightDecay === 0) {
      if (!this.applyInPlace(namedList(grads))) super.applyGradients(grads);
      return;
    }
    // Entries keep their positions (the slots are matched by position); null gradients stay null.
    const decayed = namedList(grads).map(({ name, tensor }) => ({
      name,
      tensor: (tensor === null ? null : tf.tidy(() => tf.add(tensor, tf.mul(variableNamed(name), this.weightDecay)))) as tf.Tensor,
    }));
    if (!this.applyInPlace(decayed)) super.applyGradients(decayed);
    tf.dispose(decayed.flatMap((d) => (d.tensor === null ? [] : [d.tensor])));
  }

  /**
   * The step in place on the native backend, for every variable or none: needs the slots that
   * MomentumOptimizer made in an earlier step (its `accumulations`, matched by position).
   */
  private applyInPlace(list: Named[]): boolean {
    const slots = (this as unknown as { accumulations?: ({ variable: tf.Variable } | undefined)[] }).accumulations;
    if (slots === undefined || slots.length < list.length) return false;
    const updates = [];
    for (const [i, { name, tensor }] of list.entries()) {
      const slot = slots[i];
      if (slot === undefined) return false;
      if (tensor !== null) updates.push({ w: variableNamed(name), v: slot.variable, g: tensor });
    }
    const { momentum, useNesterov } = this.getConfig() as { momentum: number; useNesterov: boolean };
    if (!momentumInPlace(updates, this.learningRate, momentum, useNesterov)) return false;
    this.incrementIterations();
    return true;
  }

  override dispose(): void {
    super.dispose();
    this.c.dispose(); // −lr, which MomentumOptimizer.dispose leaves behind
  }
}

/** Adam with decoupled weight decay (torch.optim.AdamW): θ ← θ·(1 − lr·λ), then the Adam step. */
export class AdamW extends tf.AdamOptimizer {
  static override get className(): string {
    return 'HardnegAdamW';
  }

  constructor(learningRate: number, beta1: number, beta2: number, epsilon: number, readonly weightDecay: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(grads: Gradients): void {
    const shrink = 1 - this.learningRate * this.weightDecay;
    if (shrink !== 1) {
      tf.tidy(() => {
        for (const { name, tensor } of namedList(grads)) {
          if (tensor === null) continue;
          const v = variableNamed(name);
          v.assign(tf.mul(v, shrink));
        }
      });
    }
    super.applyGradients(grads);
  }
}

const rate = z.number().finite().positive();
const unit = z.number().min(0).lt(1);
const decay = z.number().finite().min(0);
const schema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sgd'), lr: rate, momentum: unit.optional(), nesterov: z.boolean().optional(), weightDecay: decay.optional() }),
  z.strictObject({ kind: z.literal('adam'), lr: rate, beta1: unit.optional(), beta2: unit.optional(), epsilon: rate.optional() }),
  z.strictObject({
    kind: z.literal('adamw'), lr: rate, beta1: unit.optional(), beta2: unit.optional(), epsilon: rate.optional(), weightDecay: decay.optional(),
  }),
]);

/** Checks `value` (e.g. parsed JSON) as an `OptimizerConfig`; one-line error naming the field. */
export function parseOptimizerConfig(value: unknown, fn = 'parseOptimizerConfig'): OptimizerConfig {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
    const actual = issue.path.reduce<unknown>((v, p) => (v as Record<PropertyKey, unknown> | undefined)?.[p], value);
    const got = actual === undefined || issue.code === 'unrecognized_keys' ? '' : `, got ${JSON.stringify(actual)}`;
    throw new ArgumentError(`${fn}: config${field}: ${issue.message}${got}`);
  }
  return result.data;
}

/** Builds the optimizer `config` describes, with `OPTIMIZER_DEFAULTS` for the fields left out. */
export function buildOptimizer(config: OptimizerConfig): tf.Optimizer {
  const c = parseOptimizerConfig(config, 'buildOptimizer');
  switch (c.kind) {
    case 'sgd': {
      const d = OPTIMIZER_DEFAULTS.sgd;
      return new SGD(c.lr, c.momentum ?? d.momentum, c.weightDecay ?? d.weightDecay, c.nesterov ?? d.nesterov);
    }
    case 'adam': {
      const d = OPTIMIZER_DEFAULTS.adam;
      return new tf.AdamOptimizer(c.lr, c.beta1 ?? d.beta1, c.beta2 ?? d.beta2, c.epsilon ?? d.epsilon);
    }
    case 'adamw': {
      const d = OPTIMIZER_DEFAULTS.adamw;
      return new AdamW(c.lr, c.beta1 ?? d.beta1, c.beta2 ?? d.beta2, c.epsilon ?? d.epsilon, c.weightDecay ?? d.weightDecay);
    }
  }
}

/** Sets the learning rate used from the next step on (SGD / momentum: also its cached −lr). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  if (!(Number.isFinite(lr) && lr >= 0)) throw new ArgumentError(`setLearningRate: lr must be a finite number >= 0, got ${lr}`);
  // (`instanceof` cannot tell tf.js optimizers apart: their base class matches any optimizer.)
  const sgd = optimizer as tf.Optimizer & { setLearningRate?: (lr: number) => void };
  if (typeof sgd.setLearningRate === 'function') {
    sgd.setLearningRate(lr);
  } else if ('learningRate' in optimizer) {
    (optimizer as tf.Optimizer & { learningRate: number }).learningRate = lr;
  } else {
    throw new ArgumentError(`setLearningRate: ${optimizer.getClassName()} has no learning rate`);
  }
}

/** A copy of the optimizer's state (step count and slots), unaffected by later steps. */
export async function optimizerState(optimizer: tf.Optimizer): Promise<{ name: string; tensor: tf.Tensor }[]> {
  const weights = await optimizer.getWeights();
  const state = weights.map(({ name, tensor }) => ({ name, tensor: tf.clone(tensor) }));
  const adam = adamAccumulators(optimizer);
  if (adam) state.push(...ACC_NAMES.map((name, i) => ({ name, tensor: tf.clone(adam[i]) })));
  return state;
}

/** Names under which Adam's running β₁ᵗ and β₂ᵗ are saved beside its slots. */
const ACC_NAMES = ['hardneg/accBeta1', 'hardneg/accBeta2'];

/** Adam's (and AdamW's) running products β₁ᵗ, β₂ᵗ, once it has taken a step; undefined for other optimizers. */
function adamAccumulators(optimizer: tf.Optimizer): [tf.Variable, tf.Variable] | undefined {
  const adam = optimizer as tf.Optimizer & { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  return optimizer instanceof tf.AdamOptimizer && adam.accBeta1 !== undefined && adam.accBeta2 !== undefined ? [adam.accBeta1, adam.accBeta2] : undefined;
}

/**
 * Restores a state from `optimizerState` (or `loadModel`) into a fresh optimizer of the same kind
 * (one that has taken no step). The optimizer's slots become new variables; `state` stays the caller's.
 */
export async function restoreOptimizerState(optimizer: tf.Optimizer, state: { name: string; tensor: tf.Tensor }[]): Promise<void> {
  if (state.length === 0 || state[0].name !== 'iter') {
    throw new ArgumentError(`restoreOptimizerState: state must start with the step count 'iter', got ${JSON.stringify(state[0]?.name)}`);
  }
  // tf.AdamOptimizer.setWeights recomputes β₁ᵗ, β₂ᵗ as powers, while training multiplies them step
  // by step; the two differ in the last bits, so a resumed run would drift. The saved products are put back.
  const acc = ACC_NAMES.map((name) => state.find((s) => s.name === name)?.tensor);
  await optimizer.setWeights(state.filter((s) => !ACC_NAMES.includes(s.name)));
  const adam = adamAccumulators(optimizer);
  if (adam && acc[0] && acc[1]) adam.forEach((v, i) => v.assign(acc[i]!));
}
