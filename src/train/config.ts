/**
 * Training configuration: one JSON/YAML document validated with a schema. An unknown key or a
 * wrong type is a one-line error naming the key path, e.g.
 * `config.moco.queue: expected number, received string`.
 *
 * task `moco`: self-supervised (MoCo v2 with an optional MoCHi block, or the in-batch two-view
 * losses NT-Xent / HCL / DCL); task `supervised`: cross-entropy alone or with a labelled loss
 * (SupCon, SCHaNe, triplet). Loss names and their options come from the loss registry
 * (`losses/registry.ts`): `lossOptions` holds every option of the named loss but τ, which is the
 * block's `temperature`.
 */
import { z } from 'zod';
import { LOSSES, lossNames, type LossName } from '../losses/registry.js';
import { parseEncoderConfig, type EncoderConfig } from '../models/encoder.js';
import { ArgumentError } from '../ops/validate.js';
import { parseOptimizerConfig, type OptimizerConfig } from '../optim/optimizers.js';

const int = (min: number) => z.number().int().min(min);
const positive = z.number().positive();

const schema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only'),
  task: z.enum(['moco', 'supervised']),
  seed: int(0).default(0),
  data: z
    .strictObject({
      dataset: z.enum(['mnist', 'fashion-mnist']),
      /** For fashion-mnist: a directory with the four IDX files (default: Debian's install). */
      path: z.string().optional(),
      /** MNIST test-split size (default 2,000 of 10,000). */
      testSize: int(1).optional(),
      /** Use only the first n training images of the (seeded) split. */
      limit: int(1).optional(),
    })
    .default({ dataset: 'mnist' }),
  encoder: z.unknown(),
  epochs: int(1),
  batchSize: int(2).default(256),
  optimizer: z.unknown(),
  warmupEpochs: z.number().min(0).default(0),
  augment: z.record(z.string(), z.unknown()).default({}),
  moco: z
    .strictObject({
      loss: z.enum(lossNames('queue', 'pair')).default('infonce'),
      lossOptions: z.record(z.string(), z.unknown()).default({}),
      queue: int(1).default(4096),
      momentum: z.number().min(0).max(1).default(0.99),
      temperature: positive.default(0.2),
      mochi: z
        .strictObject({ N: int(1), s: int(0), sPrime: int(0), startEpoch: int(0).default(0) })
        .nullable()
        .default(null),
    })
    .default({ loss: 'infonce', lossOptions: {}, queue: 4096, momentum: 0.99, temperature: 0.2, mochi: null }),
  supervised: z
    .strictObject({
      loss: z.enum(['ce', ...lossNames('labelled')]).default('ce'),
      lossOptions: z.record(z.string(), z.unknown()).default({}),
      lambda: z.number().min(0).max(1).default(0.5),
      temperature: positive.default(0.1),
      /** Few-shot: k training images per class (seeded), or all. */
      shots: int(1).nullable().default(null),
      /** A saved encoder (`runs/<name>/checkpoint/model` or a `saveModel` dir) to fine-tune. */
      init: z.string().nullable().default(null),
    })
    .default({ loss: 'ce', lossOptions: {}, lambda: 0.5, temperature: 0.1, shots: null, init: null }),
  /** A step with a non-finite loss or gradient: stop the run (default) or skip the step (`optim/guardedStep.ts`). */
  nonFinite: z.enum(['stop', 'skip']).default('stop'),
  eval: z
    .strictObject({
      knnK: int(1).default(200),
      knnTemperature: positive.default(0.1),
      /** Evaluate on the test split every n epochs (and always after the last). */
      every: int(1).default(1),
    })
    .default({ knnK: 200, knnTemperature: 0.1, every: 1 }),
});

export type TrainConfig = Omit<z.infer<typeof schema>, 'encoder' | 'optimizer'> & { encoder: EncoderConfig; optimizer: OptimizerConfig };

/** The first issue of a failed parse as one line naming the key path. */
function firstIssue(error: z.ZodError, source: string): ArgumentError {
  const issue = error.issues[0];
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  return new ArgumentError(`${source}${path}: ${issue.message}${keys}`);
}

/** A block's `lossOptions`, checked against the registry's schema of its loss (`ce` takes none). */
function lossOptions(loss: string, options: Record<string, unknown>, source: string): Record<string, unknown> {
  if (loss === 'ce') {
    if (Object.keys(options).length > 0) throw new ArgumentError(`${source}: loss "ce" takes no options, got ${Object.keys(options).join(', ')}`);
    return {};
  }
  const result = LOSSES[loss as LossName].options.safeParse(options);
  if (!result.success) throw firstIssue(result.error, source);
  return result.data as Record<string, unknown>;
}

/** Validates a parsed config document; throws one line naming the first bad key. */
export function parseTrainConfig(value: unknown, source = 'config'): TrainConfig {
  const result = schema.safeParse(value);
  if (!result.success) throw firstIssue(result.error, source);
  const c = result.data;
  c.moco.lossOptions = lossOptions(c.moco.loss, c.moco.lossOptions, `${source}.moco.lossOptions`);
  c.supervised.lossOptions = lossOptions(c.supervised.loss, c.supervised.lossOptions, `${source}.supervised.lossOptions`);
  return {
    ...c,
    encoder: parseEncoderConfig(c.encoder, `${source}.encoder`),
    optimizer: parseOptimizerConfig(c.optimizer, `${source}.optimizer`),
  };
}

/** Applies `path.to.key=value` overrides (value parsed as JSON when it can be, else a string). */
export function applyOverrides(doc: Record<string, unknown>, overrides: string[]): Record<string, unknown> {
  const out = structuredClone(doc);
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ArgumentError(`--set: expected key.path=value, got '${o}'`);
    const keys = o.slice(0, eq).split('.');
    const raw = o.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    let node = out as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) {
      if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = value;
  }
  return out;
}
