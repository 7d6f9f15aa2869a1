/**
 * The loss registry: every loss a config can name, with the function, the inputs it takes and the
 * schema of its options. The config schema (`train/config.ts`) and both image trainers read it,
 * so a new loss is one file in `losses/` plus one entry here, and every option of that entry is
 * then settable from a config (`moco.lossOptions` / `supervised.lossOptions`, or `--set`).
 *
 * Kinds (what the trainer feeds the loss):
 * - `queue`: query/key embeddings against the MoCo memory queue (`infonce`; MoCHi rides on it);
 *   computed by the MoCo step, so the entry has no function here.
 * - `pair`: two augmented views of a batch, `z1, z2 [B, D]` (SimCLR-style, no queue).
 * - `labelled`: the views of a labelled batch, `features [B, V, D]` and `labels [B]`; the
 *   supervised trainer adds it to cross-entropy as (1 − λ)·CE + λ·loss.
 *
 * Option names are the same across losses: `temperature` (τ; set in the config block itself,
 * since the queue shares it), `beta` (concentration on hard negatives), `detachWeights` (no
 * gradient through hard-negative weights), `margin`; SCHaNe's `positives` picks its form.
 * Defaults are each function's own.
 */
import type * as tf from '../engine/tf.js';
import { z } from 'zod';
import { dcl } from './dcl.js';
import { hcl } from './hcl.js';
import { ntXent } from './ntXent.js';
import { SCHANE_POSITIVES, schane } from './schane.js';
import { supCon } from './supCon.js';
import { tripletBatchHard, tripletSemiHard } from './triplet.js';
import { DISTANCES } from '../ops/pairwiseDistance.js';
import { supervisedBatch } from './supervisedBatch.js';

/** A loss's options as the trainers pass them: the block's τ plus the registry options. */
type Options = { temperature: number } & Record<string, unknown>;
type PairLoss = (z1: tf.Tensor2D, z2: tf.Tensor2D, options: Options) => tf.Scalar;
type LabelledLoss = (features: tf.Tensor3D, labels: tf.Tensor1D, options: Options) => tf.Scalar;

export type LossEntry =
  | { kind: 'queue'; summary: string; options: z.ZodObject }
  | { kind: 'pair'; summary: string; fn: PairLoss; options: z.ZodObject }
  | { kind: 'labelled'; summary: string; fn: LabelledLoss; options: z.ZodObject };

const nonNegative = z.number().min(0);
const beta = nonNegative.optional();

/** Batch-hard / semi-hard triplet losses take `[N, D]` embeddings: the views become anchors, labels repeated per view. */
function overViews(fn: (embeddings: tf.Tensor2D, labels: tf.Tensor1D, options: Options) => tf.Scalar): LabelledLoss {
  return (features, labels, options) => {
    const { anchors, anchorLabels } = supervisedBatch(features, labels, false);
    return fn(anchors, anchorLabels, options);
  };
}

export const LOSSES = {
  infonce: {
    kind: 'queue',
    summary: 'MoCo InfoNCE against the memory queue (MoCHi mixes synthetic negatives into it)',
    options: z.strictObject({}),
  },
  ntxent: {
    kind: 'pair',
    summary: 'NT-Xent / SimCLR over the two views of the batch',
    fn: ntXent as PairLoss,
    options: z.strictObject({}),
  },
  hcl: {
    kind: 'pair',
    summary: 'HCL: debiased hard-negative sampling (Robinson et al. 2021)',
    fn: hcl as PairLoss,
    options: z.strictObject({ beta, tauPlus: z.number().min(0).lt(1).optional() }),
  },
  dcl: {
    kind: 'pair',
    summary: 'DCL / DCLW: the positive left out of the denominator (Yeh et al. 2022)',
    fn: dcl as PairLoss,
    options: z.strictObject({ sigma: z.number().positive().optional(), detachWeights: z.boolean().optional() }),
  },
  supcon: {
    kind: 'labelled',
    summary: 'SupCon L_out (Khosla et al. 2020)',
    fn: supCon as LabelledLoss,
    options: z.strictObject({ baseTemperature: z.number().positive().optional() }),
  },
  schane: {
    kind: 'labelled',
    summary: 'SCHaNe: supervised contrastive with hard-negative weights (Long et al. 2023)',
    fn: schane as LabelledLoss,
    options: z.strictObject({ beta, positives: z.enum(SCHANE_POSITIVES).optional(), detachWeights: z.boolean().optional() }),
  },
  'triplet-batch-hard': {
    kind: 'labelled',
    summary: 'batch-hard triplet (Hermans et al. 2017); temperature unused',
    fn: overViews(tripletBatchHard as (e: tf.Tensor2D, l: tf.Tensor1D, o: Options) => tf.Scalar),
    options: z.strictObject({ margin: nonNegative.optional(), soft: z.boolean().optional(), distance: z.enum(DISTANCES).optional() }),
  },
  'triplet-semi-hard': {
    kind: 'labelled',
    summary: 'semi-hard triplet (Schroff et al. 2015); temperature unused',
    fn: overViews(tripletSemiHard as (e: tf.Tensor2D, l: tf.Tensor1D, o: Options) => tf.Scalar),
    options: z.strictObject({ margin: nonNegative.optional(), distance: z.enum(DISTANCES).optional() }),
  },
} satisfies Record<string, LossEntry>;

export type LossName = keyof typeof LOSSES;

/** The names of the losses of some kinds, in registry order. */
export function lossNames<K extends LossEntry['kind']>(...kinds: K[]): LossName[] {
  return (Object.keys(LOSSES) as LossName[]).filter((name) => (kinds as string[]).includes(LOSSES[name].kind));
}

/** The entry of a loss of the given kind (the config schema has already checked the name). */
export function lossEntry<K extends LossEntry['kind']>(name: string, kind: K): Extract<LossEntry, { kind: K }> {
  const entry = (LOSSES as Record<string, LossEntry>)[name];
  if (entry === undefined || entry.kind !== kind) throw new Error(`lossEntry: "${name}" is not a ${kind} loss`);
  return entry as Extract<LossEntry, { kind: K }>;
}
