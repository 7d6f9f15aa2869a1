/**
 * A full disk for real: a 64 KiB tmpfs (mounting needs root; skipped where it is not permitted).
 * Every writer that meets ENOSPC fails with one line naming its file, publishes nothing short and
 * leaves no temporary file; the previous checkpoint survives a failed save; a metrics append cut
 * short is dropped on the next read.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { ShardStore } from '../../src/mining/shardStore.js';
import { buildEncoder } from '../../src/models/encoder.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { RunWriter } from '../../src/train/runWriter.js';
import { WriteError } from '../../src/util/atomicWrite.js';
import { setup } from '../helpers.js';
import { runHardneg } from './suiteHelpers.js';

const mount = mkdtempSync(join(tmpdir(), 'hardneg-full-'));
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]).status === 0;
const skip = mounted ? false : 'cannot mount a tmpfs here (needs root)';
const filler = join(mount, 'filler');

before(() => setup('wasm'));
after(() => {
  if (mounted) spawnSync('umount', [mount]);
});

/** Leaves about `free` bytes of the tmpfs free (and removes everything else). */
function leaveFree(free: number): void {
  for (const entry of readdirSync(mount)) rmSync(join(mount, entry), { recursive: true, force: true });
  writeFileSync(filler, Buffer.alloc(64 * 1024 - free));
}

const onlyFiller = () => assert.deepEqual(readdirSync(mount), ['filler']);

test('hardneg toy --out on a full disk: exit 1, one line naming the file, no file written', { skip }, async () => {
  leaveFree(12 * 1024);
  const out = join(mount, 'toy.png');
  const r = await runHardneg(['toy', '--out', out]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stderr.trim().split('\n').filter((l) => !l.startsWith('backend:')), [`hardneg: error: cannot write ${out}: no space left on device (ENOSPC)`]);
  onlyFiller();
});

test('run files: embeddings and config fail naming the file; a metrics append cut short is dropped on the next read', { skip }, () => {
  leaveFree(16 * 1024);
  const run = new RunWriter(join(mount, 'run'));
  run.writeJson('config.json', { name: 'run' });
  const features = tf.randomNormal([300, 32], 0, 1, 'float32', 1) as tf.Tensor2D;
  assert.throws(() => run.writeEmbeddings(features, new Int32Array(300)), (e: Error) => e instanceof WriteError && e.message === `cannot write ${run.file('test-embeddings.npy')}: no space left on device (ENOSPC)`);
  features.dispose();
  assert.deepEqual(readdirSync(run.path), ['config.json']);
  run.appendMetrics({ epoch: 1, loss: 1 });
  // Fill what is left, then append: the line cannot be written whole.
  let big = 64 * 1024;
  for (;;) {
    try {
      writeFileSync(join(mount, `more-${big}`), Buffer.alloc(big));
    } catch {
      if (big === 1) break;
      big = Math.ceil(big / 2);
    }
  }
  // A line longer than the page the log already has: only part of it fits.
  const wide = { epoch: 2, ...Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`metric_${i}`, i / 7])) };
  assert.throws(() => run.appendMetrics(wide), { message: `cannot write ${run.file('metrics.jsonl')}: no space left on device (ENOSPC)` });
  assert.deepEqual(run.metrics(), [{ epoch: 1, loss: 1 }]);
});

test('a mining shard that does not fit fails naming it; nothing is left', { skip }, () => {
  leaveFree(8 * 1024);
  const store = new ShardStore(join(mount, 'mined.jsonl.shards'), { test: 1 });
  const k = 10;
  const top = { k, rows: Int32Array.from({ length: 500 * k }, (_, i) => i), scores: new Float32Array(500 * k) };
  assert.throws(() => store.save(0, 0, 500, top), { message: `cannot write ${store.pathOf(0)}: no space left on device (ENOSPC)` });
  assert.deepEqual(readdirSync(join(mount, 'mined.jsonl.shards')), []);
});

test('a checkpoint that does not fit fails naming a file, and the previous checkpoint stays the latest', { skip }, async () => {
  leaveFree(48 * 1024);
  const runPath = join(mount, 'ckpt');
  const small = buildEncoder({ backbone: { kind: 'mlp', inputDim: 16, hidden: [8], outputDim: 4 } }, new Rng(0));
  const optimizer = tf.train.sgd(0.1);
  await saveCheckpoint(runPath, { model: small, optimizer, encoder: { backbone: { kind: 'mlp', inputDim: 16, hidden: [8], outputDim: 4 } }, position: { epoch: 1, step: 0 } });
  const encoder = { backbone: { kind: 'mlp' as const, inputDim: 784, hidden: [64], outputDim: 16 } };
  const large = buildEncoder(encoder, new Rng(1)); // 200 KB of weights
  await assert.rejects(saveCheckpoint(runPath, { model: large, optimizer, encoder, position: { epoch: 2, step: 0 } }), (e: Error) => e instanceof WriteError && /^cannot write .*checkpoint\.tmp.*: no space left on device \(ENOSPC\)$/.test(e.message));
  const loaded = await loadCheckpoint(runPath);
  assert.deepEqual(loaded?.position, { epoch: 1, step: 0 });
  assert.deepEqual(loaded!.model.inputs[0].shape, [null, 16]);
});
