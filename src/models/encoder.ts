/**
 * Encoder configuration as plain JSON, and the builder that turns it into a model. A trainer keeps
 * the config in its run directory / checkpoint manifest and rebuilds the same architecture from it.
 *
 *   { "backbone": { "kind": "cnn", "inputShape": [28, 28, 1], "widths": [32, 64, 128],
 *                   "blocks": 0, "batchNorm": true },
 *     "head": { "hiddenDim": 128, "outputDim": 128 } }
 *
 * Without `head` the encoder is the backbone alone. Shapes: `[B, …inputShape]` → `[B, outputDim]`.
 */
import type * as tf from '../engine/tf.js';
import { z } from 'zod';
import { defaultRng, type Rng } from '../engine/random.js';
import { ArgumentError } from '../ops/validate.js';
import { cnn, checkCNNConfig, type CNNConfig } from './cnn.js';
import { mlp, type MLPConfig } from './mlp.js';
import { projectionHead, withHead, type ProjectionHeadConfig } from './projectionHead.js';

export type BackboneConfig = ({ kind: 'mlp' } & MLPConfig) | ({ kind: 'cnn' } & CNNConfig);

export interface EncoderConfig {
  backbone: BackboneConfig;
  /** MoCo v2 projection head on top of the backbone's features; absent: no head. */
  head?: ProjectionHeadConfig;
}

const size = z.number().int().min(1);
const schema = z.strictObject({
  backbone: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('mlp'), inputDim: size, hidden: z.array(size), outputDim: size }),
    z.strictObject({
      kind: z.literal('cnn'),
      inputShape: z.tuple([size, size, size]),
      widths: z.array(size).min(1),
      blocks: z.number().int().min(0),
      batchNorm: z.boolean(),
    }),
  ]),
  head: z.strictObject({ hiddenDim: size, outputDim: size }).optional(),
});

/**
 * Checks `value` (e.g. parsed JSON) and returns it as an `EncoderConfig`; throws one line naming
 * the offending field, e.g. `buildEncoder: config.backbone.widths[1]: Too small: expected number to be >=1, got 0`.
 */
export function parseEncoderConfig(value: unknown, fn = 'parseEncoderConfig'): EncoderConfig {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const actual = issue.path.reduce<unknown>((v, p) => (v as Record<PropertyKey, unknown> | undefined)?.[p], value);
    const got = actual === undefined || actual === null || issue.code === 'unrecognized_keys' ? '' : `, got ${JSON.stringify(actual)}`;
    throw new ArgumentError(`${fn}: config${path}: ${issue.message}${got}`);
  }
  const config = result.data as EncoderConfig;
  if (config.backbone.kind === 'cnn') checkCNNConfig(fn, config.backbone);
  return config;
}

/** Width of the backbone's features (what evaluation sees). */
export function featureDim(config: EncoderConfig): number {
  const b = config.backbone;
  return b.kind === 'mlp' ? b.outputDim : b.widths[b.widths.length - 1];
}

/** Width of the encoder's output (what the loss sees): the head's output dim, else the features. */
export function embeddingDim(config: EncoderConfig): number {
  return config.head ? config.head.outputDim : featureDim(config);
}

/** Builds the encoder described by `config`, weights drawn from `rng` (the same seed gives the same weights). */
export function buildEncoder(config: EncoderConfig, rng: Rng = defaultRng()): tf.LayersModel {
  const c = parseEncoderConfig(config, 'buildEncoder');
  const { kind, ...rest } = c.backbone;
  const backbone = kind === 'mlp' ? mlp(rest as MLPConfig, rng) : cnn(rest as CNNConfig, rng);
  if (!c.head) return backbone;
  return withHead(backbone, projectionHead(featureDim(c), c.head, rng));
}

/** One line naming the encoder, e.g. `CNN [64,128,256], 2 residual blocks per stage, on 32×32×3 + head 256→256→128`. */
export function describeEncoder(config: EncoderConfig): string {
  const b = config.backbone;
  const backbone =
    b.kind === 'mlp'
      ? `MLP ${[b.inputDim, ...b.hidden, b.outputDim].join('→')}`
      : `CNN [${b.widths.join(',')}]${b.blocks > 0 ? `, ${b.blocks} residual block${b.blocks === 1 ? '' : 's'} per stage,` : ''} on ${b.inputShape.join('×')}`;
  return config.head ? `${backbone} + head ${featureDim(config)}→${config.head.hiddenDim}→${config.head.outputDim}` : backbone;
}
