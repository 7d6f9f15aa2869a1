import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { HashedTextEncoder } from '../../src/models/textEncoder.js';
import { textFeatures } from '../../src/models/textFeatures.js';
import { assertClose, setup } from '../helpers.js';
import { unit } from '../reference/float64.js';

before(() => setup('wasm'));
const dir = mkdtempSync(join(tmpdir(), 'hardneg-enc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const texts = ['a member of the genus Canis', 'dog, domestic dog, Canis familiaris', '', 'wolf'];

test('untrained: the normalised mean of the hashed rows (the MLP starts as the identity)', () => {
  const before = tf.memory().numTensors;
  const enc = new HashedTextEncoder({ buckets: 5000, dim: 16, hidden: 32 }, new Rng(0));
  const out = enc.encode(texts);
  for (const [i, text] of texts.entries()) {
    const ids = textFeatures(text, { buckets: 5000 });
    const mean = Array.from({ length: 16 }, (_, d) => (ids.length === 0 ? 0 : ids.reduce((s, id) => s + enc.table.values[id * 16 + d], 0) / ids.length));
    assertClose(out.subarray(i * 16, (i + 1) * 16), ids.length === 0 ? mean : unit(mean), 1e-5, text);
  }
  enc.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors left behind');
});

test('embeddings are unit rows, repeatable from the seed, and the same in chunks or at once', () => {
  const a = new HashedTextEncoder({ buckets: 5000, dim: 16, hidden: 32 }, new Rng(3));
  const b = new HashedTextEncoder({ buckets: 5000, dim: 16, hidden: 32 }, new Rng(3));
  // Give the MLP non-zero output weights so that it is not the identity.
  a.weights[2].assign(tf.randomNormal([32, 16], 0, 0.3, 'float32', 1));
  b.weights[2].assign(tf.randomNormal([32, 16], 0, 0.3, 'float32', 1));
  const x = a.encode(texts.slice(0, 2));
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(Math.hypot(...x.subarray(i * 16, (i + 1) * 16)) - 1) < 1e-5);
  assert.deepEqual(x, b.encode(texts.slice(0, 2)));
  assertClose(a.encode(texts, 1), a.encode(texts), 1e-6);
  const c = new HashedTextEncoder({ buckets: 5000, dim: 16, hidden: 32 }, new Rng(4));
  assert.notDeepEqual(c.encode(texts.slice(0, 1)), x.subarray(0, 16));
  [a, b, c].forEach((e) => e.dispose());
});

test('save and load give the same encoder; bad checkpoints and configs are one-line errors', () => {
  const enc = new HashedTextEncoder({ buckets: 3000, dim: 8, hidden: 12, charMax: 4, wordNgrams: 1, seed: 5 }, new Rng(1));
  enc.weights[2].assign(tf.randomNormal([12, 8], 0, 0.3, 'float32', 2));
  const path = join(dir, 'enc.safetensors');
  enc.save(path);
  const loaded = HashedTextEncoder.load(path);
  assert.deepEqual(loaded.config, enc.config);
  assert.deepEqual(loaded.encode(texts), enc.encode(texts));
  const bare = new HashedTextEncoder({ buckets: 100, dim: 4, hidden: 0 }, new Rng(1));
  bare.save(join(dir, 'bare.safetensors'));
  assert.deepEqual(HashedTextEncoder.load(join(dir, 'bare.safetensors')).encode(texts), bare.encode(texts));
  writeFileSync(join(dir, 'junk.safetensors'), 'not a checkpoint');
  assert.throws(() => HashedTextEncoder.load(join(dir, 'junk.safetensors')), /junk\.safetensors: not a safetensors file/);
  assert.throws(() => HashedTextEncoder.load(join(dir, 'missing.safetensors')), /missing\.safetensors: cannot read weight file \(ENOENT\)/);
  assert.throws(() => new HashedTextEncoder({ dim: 0 }), /HashedTextEncoder: dim must be a positive integer, got 0/);
  assert.throws(() => new HashedTextEncoder({ charMin: 4, charMax: 3 }), /charMax must be 0 or >= charMin \(4\), got 3/);
  [enc, loaded, bare].forEach((e) => e.dispose());
});
