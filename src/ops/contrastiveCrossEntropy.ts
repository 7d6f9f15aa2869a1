/**
 * Cross-entropy whose target is a positive logit scored against blocks of negative logits,
 * with its own gradient: the value of `crossEntropy(concat([pos, ...negatives], 1), 0)` without
 * building (or, in the backward pass, splitting) the concatenated `[B, 1 + ΣK]` logits.
 *
 *   ℓ_b = log( e^{pos_b} + Σ_blocks Σ_j e^{neg_bj} ) − pos_b,   loss = mean_b ℓ_b
 *   ∂/∂pos_b = (p_b − 1)/B,  ∂/∂neg_bj = p_bj / B   (p = softmax over the whole row)
 *
 * Each block's softmax and log-sum-exp come from `softmaxLse` (one native kernel on the native
 * backend; on wasm XNNPACK's vectorised softmax, ~3× faster than its elementwise `exp`, with the
 * log-sum-exp recovered exactly from it), and the blocks are combined through their log-sum-exps.
 *
 * A block may be `DerivedLogits`: logits computed from another block (MoCHi's synthetic logits
 * from the queue logits) whose gradient is handed to that block's own, so the two are summed
 * in one pass instead of as two dense tensors.
 *
 * Shapes: pos `[B, 1]`, negatives `[B, K_i]` each (any number of blocks, K_i may be 0) → scalar.
 */
import * as tf from '../engine/tf.js';
import { softmaxLse } from '../engine/fused.js';

/**
 * Logits `[B, n]` that are a function of another block `of` (one of the plain blocks) and of
 * `inputs`, with their gradient given as a rule: from dLogits `[B, n]` and the gradient that `of`
 * has from the loss itself, `gradient` returns `of`'s total gradient and each input's gradient.
 */
export interface DerivedLogits {
  logits: tf.Tensor2D;
  of: tf.Tensor2D;
  inputs: tf.Tensor[];
  gradient(dLogits: tf.Tensor2D, dOf: tf.Tensor2D): [tf.Tensor2D, ...tf.Tensor[]];
}

export function contrastiveCrossEntropy(pos: tf.Tensor2D, negatives: (tf.Tensor2D | DerivedLogits)[]): tf.Scalar {
  const B = pos.shape[0];
  if (pos.rank !== 2 || pos.shape[1] !== 1) throw new Error(`contrastiveCrossEntropy: pos must be [B, 1], got [${pos.shape}]`);
  for (const [i, block] of negatives.entries()) {
    const n = block instanceof tf.Tensor ? block : block.logits;
    if (n.rank !== 2 || n.shape[0] !== B) {
      throw new Error(`contrastiveCrossEntropy: negatives[${i}] must be [${B}, K], got [${n.shape}]`);
    }
  }
  const blocks = negatives.filter((n): n is tf.Tensor2D => n instanceof tf.Tensor && n.shape[1] > 0);
  const derived = negatives.filter((n): n is DerivedLogits => !(n instanceof tf.Tensor) && n.logits.shape[1] > 0);
  const bases = derived.map((d, i) => {
    const at = blocks.indexOf(d.of);
    if (at < 0) throw new Error(`contrastiveCrossEntropy: derived block ${i} is not derived from one of the (non-empty) blocks`);
    return at;
  });
  const inputs = derived.flatMap((d) => d.inputs);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [p, ...plain] = args.slice(0, 1 + blocks.length) as tf.Tensor2D[];
    const negs = [...plain, ...derived.map((d) => d.logits)];
    const fused = negs.map((n) => softmaxLse(n));
    const probs = fused.map((f) => f.probs);
    const blockLse = fused.map((f) => f.lse);
    const terms = tf.concat([p, ...blockLse], 1); // [B, 1 + blocks]
    const top = tf.max(terms, 1, true);
    const lse = tf.add(top, tf.log(tf.sum(tf.exp(tf.sub(terms, top)), 1, true))); // [B, 1]
    const value = tf.mean(tf.sub(lse, p));
    // Share of each block (and of the positive) in the row's softmax: [B, 1] each.
    const shares = [tf.exp(tf.sub(p, lse)), ...blockLse.map((l) => tf.exp(tf.sub(l, lse)))];
    save([...shares, ...probs]);
    return {
      value: value as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const scale = tf.div(dy, B);
        const [posShare, ...blockShares] = saved.slice(0, shares.length);
        const blockProbs = saved.slice(shares.length);
        const grads = blockProbs.map((pr, i) => tf.mul(pr, tf.mul(blockShares[i], scale)) as tf.Tensor2D);
        const inputGrads = derived.flatMap((d, i) => {
          const [dOf, ...rest] = d.gradient(grads[blocks.length + i], grads[bases[i]]);
          grads[bases[i]] = dOf;
          return rest;
        });
        return [tf.mul(tf.sub(posShare, 1), scale), ...grads.slice(0, blocks.length), ...inputGrads];
      },
    };
  });
  return f(pos, ...blocks, ...inputs) as tf.Scalar;
}
