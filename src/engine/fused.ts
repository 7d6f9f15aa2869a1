/**
 * Fused operations: one kernel where the backend has it (the native backend, see
 * `native/fusedKernels.ts`), the same result composed from stock ops elsewhere. Callers get the
 * same values either way; neither form records gradients (use them inside `tf.customGrad`).
 */
import * as tf from './tf.js';
import { SOFTMAX_LSE } from './native/fusedKernels.js';

function fusedAvailable(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/**
 * Softmax over the last axis and the log-sum-exp of each row:
 * probs = e^x / Σ e^x `[…, C]`, lse = log Σ e^x `[…, 1]`. Composed: lse = max(x) − log(max(probs))
 * (exact: the largest probability is e^{max − lse}, and it is >= 1/C, so the log is well conditioned).
 */
export function softmaxLse(x: tf.Tensor): { probs: tf.Tensor; lse: tf.Tensor } {
  if (fusedAvailable(SOFTMAX_LSE)) {
    const [probs, lse] = tf.engine().runKernel(SOFTMAX_LSE, { logits: x }) as tf.Tensor[];
    return { probs, lse };
  }
  return tf.tidy(() => {
    const probs = tf.softmax(x);
    const lse = tf.sub(tf.max(x, -1, true), tf.log(tf.max(probs, -1, true)));
    return { probs, lse };
  });
}
