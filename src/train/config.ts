/**
 * Training configuration: one JSON/YAML document validated with a schema. An unknown key or a
 * wrong type is a one-line error naming the key path, e.g.
 * `config.moco.queue: Invalid input: expected number, received string, got "big"`; every problem
 * is reported at once (`ConfigError`, one line each).
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
import { ConfigError } from './configError.js';
import { configRuleErrors } from './configRules.js';
import { parseOptimizerConfig, type OptimizerConfig } from '../optim/optimizers.js';
import { dataSchema } from './dataConfig.js';

const int = (min: number) => z.number().int().min(min);
const positive = z.number().positive();

const schema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only'),
  task: z.enum(['moco', 'supervised']),
  seed: int(0).default(0),
  data: dataSchema.default({ dataset: 'mnist' }),
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
      /**
       * An encoder to fine-tune: `runs/<name>/checkpoint/model`, a `saveModel` dir, or a `.safetensors`
       * file (`hardneg export`, or PyTorch's state dict in the names of docs/export.md; without
       * hardneg's metadata its architecture is this config's `encoder`).
       */
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

/** Every issue of a failed parse, one line each naming the key path and the value given. */
function issueLines(error: z.ZodError, value: unknown, source: string): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    if (issue.code === 'unrecognized_keys') return `${source}${path}: ${issue.message} (${issue.keys.join(', ')})`;
    const actual = issue.path.reduce<unknown>((v, p) => (v as Record<PropertyKey, unknown> | undefined)?.[p as PropertyKey], value);
    return `${source}${path}: ${issue.message}${actual === undefined ? '' : `, got ${JSON.stringify(actual)}`}`;
  });
}

/** The message of a sub-parser's error (encoder, optimizer), or rethrows anything else. */
function caught(parse: () => void): string[] {
  try {
    parse();
    return [];
  } catch (err) {
    if (err instanceof ArgumentError) return [err.message];
    throw err;
  }
}

/** A block's `lossOptions`, checked against the registry's schema of its loss (`ce` takes none); returns the issue lines. */
function lossOptionErrors(block: { loss: string; lossOptions: Record<string, unknown> }, source: string): string[] {
  const options = block.lossOptions;
  if (block.loss === 'ce') return Object.keys(options).length > 0 ? [`${source}: loss "ce" takes no options, got ${Object.keys(options).join(', ')}`] : [];
  const result = LOSSES[block.loss as LossName].options.safeParse(options);
  if (!result.success) return issueLines(result.error, options, source);
  block.lossOptions = result.data as Record<string, unknown>;
  return [];
}

/**
 * Validates a parsed config document: the schema, every loss's options, the encoder, the optimizer
 * and the cross-field rules (`configRules.ts`; `rules: false` skips them, for the config of a run
 * that already exists). Throws a `ConfigError` listing every problem, one line each naming the key,
 * what was expected and what was given.
 */
export function parseTrainConfig(value: unknown, source = 'config', options: { rules?: boolean } = {}): TrainConfig {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(issueLines(result.error, value, source));
  const c = result.data;
  let encoder: EncoderConfig | undefined;
  let optimizer: OptimizerConfig | undefined;
  const errors = [
    ...lossOptionErrors(c.moco, `${source}.moco.lossOptions`),
    ...lossOptionErrors(c.supervised, `${source}.supervised.lossOptions`),
    ...caught(() => (encoder = parseEncoderConfig(c.encoder, `${source}.encoder`))),
    ...caught(() => (optimizer = parseOptimizerConfig(c.optimizer, `${source}.optimizer`))),
  ];
  if (errors.length > 0) throw new ConfigError(errors);
  const config: TrainConfig = { ...c, encoder: encoder!, optimizer: optimizer! };
  const broken = options.rules === false ? [] : configRuleErrors(config, source);
  if (broken.length > 0) throw new ConfigError(broken);
  return config;
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
