/**
 * Checkpoints of a training run: `runs/<name>/checkpoint/` with the model (and MoCo's key model)
 * in the TensorFlow.js layers format plus manifest (`saveModel`), the optimizer's state, the
 * memory queue (`queue.bin` + its fields in `state.json`) and the position (epoch, step).
 *
 * The whole directory is replaced atomically: written as `checkpoint.tmp`, then swapped in by two
 * renames; a crash between them leaves `checkpoint.old`, which `loadCheckpoint` falls back to.
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { EncoderConfig } from '../models/encoder.js';
import { loadModel, saveModel, type OptimizerState } from '../models/serialize.js';
import { MemoryQueue } from '../negatives/memoryQueue.js';
import { optimizerState } from '../optim/optimizers.js';
import { writeFileAtomic } from '../util/atomicWrite.js';

export interface Position {
  /** Epoch to run next (0-based) and the step within it to start from. */
  epoch: number;
  step: number;
  /** Mid-epoch: the sum of the losses of the epoch's steps already run, so its logged mean loss covers them all. */
  lossSum?: number;
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
  rmSync(old, { recursive: true, force: true });
  if (existsSync(final)) renameSync(final, old);
  renameSync(tmp, final);
  rmSync(old, { recursive: true, force: true });
}

export async function loadCheckpoint(runPath: string): Promise<LoadedCheckpoint | undefined> {
  let dir = join(runPath, 'checkpoint');
  if (!existsSync(join(dir, 'state.json'))) dir = join(runPath, 'checkpoint.old');
  if (!existsSync(join(dir, 'state.json'))) return undefined;
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
    position: Position;
    queue?: { size: number; dim: number; pointer: number; filled: number };
  };
  const { model, optimizerState } = await loadModel(join(dir, 'model'));
  const keyModel = existsSync(join(dir, 'key-model')) ? (await loadModel(join(dir, 'key-model'))).model : undefined;
  let queue: MemoryQueue | undefined;
  if (state.queue) {
    const bytes = readFileSync(join(dir, 'queue.bin'));
    const labelBytes = readFileSync(join(dir, 'queue-labels.bin'));
    queue = MemoryQueue.restore({
      ...state.queue,
      rows: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
      labels: new Int32Array(labelBytes.buffer.slice(labelBytes.byteOffset, labelBytes.byteOffset + labelBytes.byteLength)),
    });
  }
  return { model, keyModel, optimizerState, queue, position: state.position };
}
