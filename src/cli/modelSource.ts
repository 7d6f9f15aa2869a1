/**
 * What `hardneg embed` and `hardneg export` read: a run (`--run runs/x`, its last checkpoint), a
 * saved model directory, or a safetensors file (an exported encoder, an adapter, a text encoder;
 * told apart by its `hardneg.kind` metadata). Errors are one line naming the path.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '../engine/tf.js';
import { Adapter } from '../models/adapter.js';
import { parseEncoderConfig, type EncoderConfig } from '../models/encoder.js';
import { ENCODER_KIND, loadEncoderFile } from '../models/encoderFile.js';
import { loadModel } from '../train/savedModel.js';
import { HashedTextEncoder } from '../models/textEncoder.js';
import { readSafetensorsFile } from '../models/weightFile.js';
import { UsageError } from './errors.js';

export type OpenedModel =
  | { kind: 'encoder'; model: tf.LayersModel; config: EncoderConfig; source: string }
  | { kind: 'adapter'; adapter: Adapter; source: string }
  | { kind: 'text-encoder'; encoder: HashedTextEncoder; source: string };

/** Opens `--run DIR` or `--model PATH` (exactly one). */
export async function openModel(flags: { run?: string; model?: string }): Promise<OpenedModel> {
  if ((flags.run === undefined) === (flags.model === undefined)) throw new UsageError('give exactly one of --run <runs/name> and --model <dir|file.safetensors>');
  if (flags.run !== undefined) {
    const dir = join(flags.run, 'checkpoint', 'model');
    if (!existsSync(dir)) throw new UsageError(`--run: ${flags.run} has no checkpoint/model (is it a training run directory?)`);
    const fallback = () => (JSON.parse(readFileSync(join(flags.run!, 'config.json'), 'utf8')) as { config: { encoder: unknown } }).config.encoder;
    return openModelDir(dir, fallback);
  }
  const path = flags.model!;
  if (!existsSync(path)) throw new UsageError(`--model: no such file or directory ${path}`);
  if (statSync(path).isDirectory()) return openModelDir(path);
  const kind = readSafetensorsFile(path).metadata['hardneg.kind'];
  if (kind === 'adapter') return { kind: 'adapter', adapter: Adapter.load(path), source: path };
  if (kind === 'hashed-text-encoder') return { kind: 'text-encoder', encoder: HashedTextEncoder.load(path), source: path };
  if (kind === ENCODER_KIND) return { kind: 'encoder', ...loadEncoderFile(path), source: path };
  throw new UsageError(`--model: ${path} is a safetensors file without hardneg's metadata (hardneg.kind ${JSON.stringify(kind)}); expected an encoder, adapter or text encoder`);
}

async function openModelDir(dir: string, fallback?: () => unknown): Promise<OpenedModel> {
  const { model, manifest } = await loadModel(dir);
  const stored = manifest.encoder ?? fallback?.();
  if (stored === undefined || stored === null) {
    model.dispose();
    throw new UsageError(`${dir}: its manifest records no encoder configuration; cannot name its layers`);
  }
  return { kind: 'encoder', model, config: parseEncoderConfig(stored, `${dir}: encoder`), source: dir };
}

export function disposeModel(opened: OpenedModel): void {
  if (opened.kind === 'encoder') opened.model.dispose();
  else if (opened.kind === 'adapter') opened.adapter.dispose();
  else opened.encoder.dispose();
}
