/**
 * Saving and loading models (and optionally optimizer state, for `--resume`) as a directory:
 *
 *   model.json      TensorFlow.js layers format (topology + weightsManifest), loadable by tf.js
 *   weights.bin     the weights, little-endian float32, in weightsManifest order
 *   optimizer.bin   optimizer state (`tf.Optimizer.getWeights()`), when an optimizer is given
 *   manifest.json   { format: 'hardneg-model', formatVersion, hardnegVersion, encoder, files, … }
 *
 * The files are written through a custom `tf.io` handler with node:fs (no tfjs-node). A save is
 * atomic: everything goes to a temporary sibling directory which is then renamed into place, so
 * an interrupted save leaves the previous model (or nothing), never a half-written one. The
 * manifest records every file's size and SHA-256, so a truncated or altered file is reported by
 * name on load. hardneg's own layers (`HardnegBatchNorm`) are registered when hardneg is
 * imported; plain tf.js needs that import to load these models too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../ops/validate.js';
import { writeError } from '../util/atomicWrite.js';
import { parseEncoderConfig, type EncoderConfig } from '../models/encoder.js';
import '../models/batchNorm.js';

export const MANIFEST_FORMAT = 'hardneg-model';
export const MANIFEST_VERSION = 1;

type FileName = 'model.json' | 'weights.bin' | 'optimizer.bin';

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  hardnegVersion: string;
  /** How the model was built (`buildEncoder`); null for a model built some other way. */
  encoder: EncoderConfig | null;
  /** Size and SHA-256 of every other file in the directory. */
  files: Partial<Record<FileName, { bytes: number; sha256: string }>>;
  /** Layout of optimizer.bin (`tf.io` weight specs, in `getWeights()` order) and the optimizer's class. */
  optimizer?: { className: string; weights: tf.io.WeightsManifestEntry[] };
  /** Free-form JSON from the caller (epoch, metrics, …). */
  metadata?: Record<string, unknown>;
}

/** Optimizer state as `tf.Optimizer.getWeights()` gives it and `setWeights()` takes it. */
export type OptimizerState = Awaited<ReturnType<tf.Optimizer['getWeights']>>;

export interface SaveOptions {
  encoder?: EncoderConfig;
  /** Saves an optimizer's state beside the model: its class name and named slots (`optim/optimizers.ts` optimizerState). */
  optimizer?: { className: string; state: OptimizerState };
  metadata?: Record<string, unknown>;
}

export interface LoadedModel {
  model: tf.LayersModel;
  manifest: ModelManifest;
  /** The saved optimizer state, for `restoreOptimizerState`; undefined when none was saved. */
  optimizerState?: OptimizerState;
}

let cachedVersion: string | undefined;
async function hardnegVersion(): Promise<string> {
  cachedVersion ??= (JSON.parse(await fs.readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cachedVersion;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * Writes all of `data` to `file` (`writeFile` loops over short writes) and flushes it to disk; a
 * failure (ENOSPC, EISDIR, …) is an error naming `file`.
 */
async function writeDurably(file: string, data: Uint8Array | string): Promise<void> {
  try {
    const handle = await fs.open(file, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw writeError(file, err);
  }
}

/** A `tf.io` handler that writes model.json + weights.bin into `dir` and reads them back. */
export function fileSystemHandler(dir: string, fn = 'fileSystemHandler'): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = new Uint8Array(artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0));
      const modelJson: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      for (const key of ['trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const) {
        if (artifacts[key] !== undefined) modelJson[key] = artifacts[key];
      }
      await writeDurably(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      await writeDurably(path.join(dir, 'weights.bin'), weights);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonFile = path.join(dir, 'model.json');
      const modelJson = parseJson(fn, jsonFile, await readFileNamed(fn, jsonFile)) as tf.io.ModelJSON;
      if (modelJson.modelTopology === undefined || !Array.isArray(modelJson.weightsManifest)) {
        throw new Error(`${fn}: ${jsonFile} is not a TensorFlow.js layers model (no modelTopology or weightsManifest)`);
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (groups) => {
        const specs = groups.flatMap((g) => g.weights);
        const buffers: ArrayBuffer[] = [];
        for (const file of groups.flatMap((g) => g.paths)) {
          const bytes = await readFileNamed(fn, path.join(dir, file));
          buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

async function readFileNamed(fn: string, file: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${fn}: ${file} is missing` : `${fn}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
}

function parseJson(fn: string, file: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`${fn}: ${file} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

/** An existing `dir` may be replaced only if it is empty or a saved hardneg model. */
async function checkReplaceable(dir: string): Promise<boolean> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (stat === undefined) return false;
  if (!stat.isDirectory()) throw new ArgumentError(`saveModel: ${dir} exists and is not a directory`);
  const entries = await fs.readdir(dir);
  if (entries.length === 0) return true;
  const manifest = await fs.readFile(path.join(dir, 'manifest.json'), 'utf8').then(JSON.parse).catch(() => undefined);
  if ((manifest as { format?: unknown } | undefined)?.format !== MANIFEST_FORMAT) {
    throw new ArgumentError(`saveModel: ${dir} exists and is not a saved hardneg model; refusing to replace it`);
  }
  return true;
}

/**
 * Saves `model` (and optionally an optimizer's state) into directory `dir`, atomically, replacing
 * a model saved there before. The parent directory is created if needed.
 */
export async function saveModel(model: tf.LayersModel, dir: string, options: SaveOptions = {}): Promise<ModelManifest> {
  const encoder = options.encoder === undefined ? null : parseEncoderConfig(options.encoder, 'saveModel');
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true }).catch((err) => Promise.reject(writeError(parent, err, 'cannot create directory')));
  const replace = await checkReplaceable(target);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = path.join(parent, `.${path.basename(target)}.tmp-${tag}`);
  await fs.mkdir(temp).catch((err) => Promise.reject(writeError(temp, err, 'cannot create directory')));
  try {
    await model.save(fileSystemHandler(temp, 'saveModel'));
    const manifest: ModelManifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      hardnegVersion: await hardnegVersion(),
      encoder,
      files: {},
    };
    if (options.optimizer) {
      const { data, specs } = await tf.io.encodeWeights(options.optimizer.state);
      await writeDurably(path.join(temp, 'optimizer.bin'), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
      manifest.optimizer = { className: options.optimizer.className, weights: specs };
    }
    for (const file of ['model.json', 'weights.bin', 'optimizer.bin'] as FileName[]) {
      const bytes = await fs.readFile(path.join(temp, file)).catch(() => undefined);
      if (bytes !== undefined) manifest.files[file] = { bytes: bytes.byteLength, sha256: sha256(bytes) };
    }
    if (options.metadata !== undefined) manifest.metadata = options.metadata;
    await writeDurably(path.join(temp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await swapInto(temp, target, replace, tag);
    return manifest;
  } catch (e) {
    await fs.rm(temp, { recursive: true, force: true });
    throw e;
  }
}

/** Renames the finished `temp` to `target` (moving an old `target` aside first, then removing it). */
async function swapInto(temp: string, target: string, replace: boolean, tag: string): Promise<void> {
  if (!replace) {
    await fs.rename(temp, target);
  } else {
    const old = path.join(path.dirname(target), `.${path.basename(target)}.old-${tag}`);
    await fs.rename(target, old);
    await fs.rename(temp, target);
    await fs.rm(old, { recursive: true, force: true });
  }
  const parent = await fs.open(path.dirname(target), 'r');
  try {
    await parent.sync();
  } finally {
    await parent.close();
  }
}

/** Reads and checks manifest.json and every file it lists; throws naming the missing or corrupt file. */
async function readManifest(dir: string): Promise<ModelManifest> {
  const fn = 'loadModel';
  const file = path.join(dir, 'manifest.json');
  const manifest = parseJson(fn, file, await readFileNamed(fn, file)) as ModelManifest;
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== MANIFEST_FORMAT) {
    throw new Error(`${fn}: ${file} is not a hardneg model manifest (format ${JSON.stringify((manifest as { format?: unknown } | null)?.format)})`);
  }
  if (!(manifest.formatVersion <= MANIFEST_VERSION)) {
    throw new Error(`${fn}: ${file} has formatVersion ${manifest.formatVersion}; this hardneg reads up to ${MANIFEST_VERSION}`);
  }
  for (const [name, expected] of Object.entries(manifest.files ?? {})) {
    const bytes = await readFileNamed(fn, path.join(dir, name));
    if (bytes.byteLength !== expected.bytes) {
      throw new Error(`${fn}: ${path.join(dir, name)} is corrupt: ${bytes.byteLength} bytes, the manifest says ${expected.bytes}`);
    }
    if (sha256(bytes) !== expected.sha256) {
      throw new Error(`${fn}: ${path.join(dir, name)} is corrupt: its SHA-256 differs from the manifest's`);
    }
  }
  if (manifest.encoder !== null && manifest.encoder !== undefined) parseEncoderConfig(manifest.encoder, `${fn}: ${file}`);
  return manifest;
}

/** Loads a directory written by `saveModel`. */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const target = path.resolve(dir);
  const manifest = await readManifest(target);
  const model = await tf.loadLayersModel(fileSystemHandler(target, 'loadModel'));
  if (!manifest.optimizer) return { model, manifest };
  const bytes = await fs.readFile(path.join(target, 'optimizer.bin'));
  const named = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, manifest.optimizer.weights);
  const optimizerState = manifest.optimizer.weights.map((spec) => ({ name: spec.name, tensor: named[spec.name] }));
  return { model, manifest, optimizerState };
}
