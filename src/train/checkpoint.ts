/**
 * Checkpoints of a training run: `runs/<name>/checkpoint/` with the model (and MoCo's key model)
 * in the TensorFlow.js layers format plus manifest (`saveModel`), the optimizer's state, the
 * memory queue (`queue.bin` + its fields in `state.json`) and the position (epoch, step).
 *
 * The whole directory is replaced atomically: written as `checkpoint.tmp` (every file flushed),
 * then swapped in by two renames, the previous checkpoint kept as `checkpoint.old`. A crash
 * between the renames leaves only `checkpoint.old`; a latest checkpoint that cannot be read (a
 * truncated or altered file, caught by the model manifest's sizes and SHA-256 or by state.json's
 * parse) is reported in a warning and `loadCheckpoint` falls back to `checkpoint.old`.
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../engine/tf.js';
import type { EncoderConfig } from '../models/encoder.js';
import { loadModel, saveModel, type OptimizerState } from './savedModel.js';
import { MemoryQueue } from '../negatives/memoryQueue.js';
import { optimizerState } from '../optim/optimizers.js';
import { syncDirectory, writeError, writeFileAtomic } from '../util/atomicWrite.js';

export interface Position {
  /** Epoch to run next (0-based) and the step within it to start from. */
  epoch: number;
  step: number;
  /** Mid-epoch: the sum of the losses of the epoch's steps already run, so its logged mean loss covers them all. */
  lossSum?: number;
  /** Mid-epoch: steps of the epoch skipped as non-finite (`nonFinite: 'skip'`). */
  skipped?: number;
}

export interface CheckpointParts {
  model: tf.LayersModel;
  keyModel?: tf.LayersModel;
  optimizer: tf.Optimizer;
  queue?: MemoryQueue;
  encoder: EncoderConfig;
  position: Position;
}

export interface LoadedCheckpoint {
  model: tf.LayersModel;
  keyModel?: tf.LayersModel;
  optimizerState?: OptimizerState;
  queue?: MemoryQueue;
  position: Position;
}

export async function saveCheckpoint(runPath: string, parts: CheckpointParts): Promise<void> {
  const final = join(runPath, 'checkpoint');
  const tmp = join(runPath, 'checkpoint.tmp');
  const old = join(runPath, 'checkpoint.old');
  rmSync(tmp, { recursive: true, force: true });
  const state = await optimizerState(parts.optimizer);
  await saveModel(parts.model, join(tmp, 'model'), { encoder: parts.encoder, optimizer: { className: parts.optimizer.getClassName(), state } });
  tf.dispose(state.map((w) => w.tensor));
  if (parts.keyModel) await saveModel(parts.keyModel, join(tmp, 'key-model'), { encoder: parts.encoder });
  let queue: Record<string, number> | undefined;
  if (parts.queue) {
    const snap = parts.queue.snapshot();
    writeFileAtomic(join(tmp, 'queue.bin'), new Uint8Array(snap.rows.buffer, snap.rows.byteOffset, snap.rows.byteLength));
    writeFileAtomic(join(tmp, 'queue-labels.bin'), new Uint8Array(snap.labels.buffer, snap.labels.byteOffset, snap.labels.byteLength));
    queue = { size: snap.size, dim: snap.dim, pointer: snap.pointer, filled: snap.filled };
  }
  writeFileAtomic(join(tmp, 'state.json'), JSON.stringify({ position: parts.position, queue }, null, 2));
  try {
    rmSync(old, { recursive: true, force: true });
    if (existsSync(final)) renameSync(final, old);
    renameSync(tmp, final);
  } catch (err) {
    throw writeError(final, err, 'cannot replace checkpoint');
  }
  syncDirectory(runPath);
}

interface SavedState {
  position: Position;
  queue?: { size: number; dim: number; pointer: number; filled: number };
}

/** Reads one checkpoint directory; throws an error naming the file that is missing or unreadable. */
async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const statePath = join(dir, 'state.json');
  let state: SavedState;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8')) as SavedState;
  } catch (err) {
    throw new Error(`${statePath}: ${err instanceof SyntaxError ? 'invalid JSON' : 'cannot read'} (${(err as Error).message})`, { cause: err });
  }
  const position = state?.position;
  if (!(position && Number.isInteger(position.epoch) && position.epoch >= 0 && Number.isInteger(position.step) && position.step >= 0)) {
    throw new Error(`${statePath}: expected "position": { epoch, step } of integers >= 0, got ${JSON.stringify(position)}`);
  }
  const { model, optimizerState } = await loadModel(join(dir, 'model'));
  const keyModel = existsSync(join(dir, 'key-model')) ? (await loadModel(join(dir, 'key-model'))).model : undefined;
  let queue: MemoryQueue | undefined;
  if (state.queue) {
    const rows = readExact(join(dir, 'queue.bin'), 4 * state.queue.size * state.queue.dim);
    const labels = readExact(join(dir, 'queue-labels.bin'), 4 * state.queue.size);
    queue = MemoryQueue.restore({
      ...state.queue,
      rows: new Float32Array(rows.buffer.slice(rows.byteOffset, rows.byteOffset + rows.byteLength)),
      labels: new Int32Array(labels.buffer.slice(labels.byteOffset, labels.byteOffset + labels.byteLength)),
    });
  }
  return { model, keyModel, optimizerState, queue, position };
}

/** The bytes of `path`, which must hold exactly `bytes`. */
function readExact(path: string, bytes: number): Buffer {
  const data = readFileSync(path);
  if (data.byteLength !== bytes) throw new Error(`${path} is corrupt: ${data.byteLength} bytes, state.json implies ${bytes}`);
  return data;
}

/**
 * The run's latest readable checkpoint: `checkpoint/`, else `checkpoint.old/` (with a warning
 * naming what was wrong with the latest one); undefined when the run has none.
 */
export async function loadCheckpoint(runPath: string, warn: (message: string) => void = console.warn): Promise<LoadedCheckpoint | undefined> {
  const latest = join(runPath, 'checkpoint');
  const previous = join(runPath, 'checkpoint.old');
  let failure: Error | undefined;
  if (existsSync(latest)) {
    try {
      return await readCheckpoint(latest);
    } catch (err) {
      failure = err as Error;
    }
  }
  if (!existsSync(previous)) {
    if (failure) throw new Error(`cannot resume ${runPath}: ${failure.message}, and there is no checkpoint.old to fall back to`);
    return undefined;
  }
  try {
    const loaded = await readCheckpoint(previous);
    if (failure) warn(`warning: the latest checkpoint is unreadable (${failure.message}); resuming from ${previous} (epoch ${loaded.position.epoch}, step ${loaded.position.step})`);
    return loaded;
  } catch (err) {
    throw new Error(`cannot resume ${runPath}: ${failure ? `${failure.message}; ` : ''}${(err as Error).message}`, { cause: err });
  }
}
