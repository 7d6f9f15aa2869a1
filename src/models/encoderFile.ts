/**
 * An image encoder as one safetensors file: its weights in PyTorch's names and layouts
 * (`torchLayout.ts`) and its `EncoderConfig` in the metadata (`hardneg.kind: encoder`). This is
 * what `hardneg export` writes and what `supervised.init` / `hardneg embed --model` accept, so an
 * encoder trained in PyTorch with the same architecture (names and shapes as `model.json` lists
 * them) can be fine-tuned here.
 */
import type * as tf from '../engine/tf.js';
import { buildEncoder, parseEncoderConfig, type EncoderConfig } from './encoder.js';
import { SafetensorsError } from './safetensors.js';
import { encoderFromTorch, encoderToTorch } from './torchLayout.js';
import { readSafetensorsFile, saveWeightFile } from './weightFile.js';

export const ENCODER_KIND = 'encoder';

/** Writes `model` (built from `config`; a supervised model's backbone and head) to `path`, atomically. */
export function saveEncoderFile(model: tf.LayersModel, config: EncoderConfig, path: string): void {
  saveWeightFile(path, { kind: ENCODER_KIND, config, tensors: encoderToTorch(model, config) });
}

/**
 * Rebuilds the encoder a file describes and sets its weights; errors name the file and the
 * tensor. A file without hardneg's metadata (saved from PyTorch: `safetensors.torch.save_file(
 * model.state_dict(), path)`) takes its architecture from `fallback` (a config's `encoder`).
 */
export function loadEncoderFile(path: string, fallback?: EncoderConfig): { model: tf.LayersModel; config: EncoderConfig } {
  const contents = readSafetensorsFile(path);
  const kind = contents.metadata['hardneg.kind'];
  if (kind !== undefined && kind !== ENCODER_KIND) throw new SafetensorsError(`${path}: holds a '${kind}', expected an '${ENCODER_KIND}'`);
  if (kind === undefined && fallback === undefined) throw new SafetensorsError(`${path}: has no hardneg.config metadata; give the architecture (the config's encoder)`);
  let config: EncoderConfig;
  try {
    config = kind === undefined ? parseEncoderConfig(fallback, 'config') : parseEncoderConfig(JSON.parse(contents.metadata['hardneg.config'] ?? ''), 'config');
  } catch (err) {
    throw new SafetensorsError(`${path}: hardneg.config is not an encoder configuration (${(err as Error).message})`);
  }
  const model = buildEncoder(config);
  try {
    encoderFromTorch(model, config, contents, path);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, config };
}
