import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { buildEncoder, type EncoderConfig } from '../../src/models/encoder.js';
import { backboneOf } from '../../src/models/projectionHead.js';
import { loadModel, saveModel } from '../../src/train/savedModel.js';
import { setup } from '../helpers.js';

let x: tf.Tensor4D;
before(async () => {
  await setup('wasm');
  x = tf.tensor4d(new Rng(1).normalArray(5 * 64), [5, 8, 8, 1]);
});
const scratch = mkdtempSync(path.join(tmpdir(), 'hardneg-serialize-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const config: EncoderConfig = {
  backbone: { kind: 'cnn', inputShape: [8, 8, 1], widths: [4, 8], blocks: 1, batchNorm: true },
  head: { hiddenDim: 8, outputDim: 4 },
};
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** A CNN + head whose BatchNorm moving statistics have moved away from their initial values. */
function trainedModel(seed: number): tf.LayersModel {
  const model = buildEncoder(config, new Rng(seed));
  for (let i = 0; i < 3; i++) tf.dispose(model.apply(tf.add(x, i), { training: true }) as tf.Tensor);
  return model;
}

const outputs = (model: tf.LayersModel) => Array.from((model.predict(x) as tf.Tensor).dataSync());

test('round trip: the loaded model gives identical outputs and features; model.json is the tf.js layers format', async () => {
  const model = trainedModel(2);
  const dir = path.join(scratch, 'round-trip');
  const manifest = await saveModel(model, dir, { encoder: config, metadata: { epoch: 3 } });
  assert.deepEqual(readdirSync(dir).sort(), ['manifest.json', 'model.json', 'weights.bin']);
  const modelJson = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
  assert.equal(modelJson.format, 'layers-model');
  assert.deepEqual(modelJson.weightsManifest[0].paths, ['weights.bin']);
  assert.equal(readFileSync(path.join(dir, 'weights.bin')).byteLength, 4 * model.countParams());

  const loaded = await loadModel(dir);
  assert.deepEqual(outputs(loaded.model), outputs(model));
  assert.deepEqual(
    Array.from((backboneOf(loaded.model).predict(x) as tf.Tensor).dataSync()),
    Array.from((backboneOf(model).predict(x) as tf.Tensor).dataSync()),
  );
  assert.deepEqual(loaded.manifest, manifest);
  assert.equal(manifest.hardnegVersion, packageVersion);
  assert.deepEqual(manifest.encoder, config);
  assert.deepEqual(manifest.metadata, { epoch: 3 });
  assert.equal(loaded.optimizerState, undefined);
});

test('saving over an earlier save replaces it; an interrupted save leaves the earlier model and no temporary files', async () => {
  const dir = path.join(scratch, 'replace');
  const first = trainedModel(3);
  await saveModel(first, dir, { encoder: config });
  const second = trainedModel(4);
  await saveModel(second, dir, { encoder: config });
  assert.deepEqual(outputs((await loadModel(dir)).model), outputs(second));

  // A failure after the model files are written (here: metadata that JSON cannot encode).
  await assert.rejects(saveModel(first, dir, { encoder: config, metadata: { bad: 1n } }), /BigInt/);
  assert.deepEqual(outputs((await loadModel(dir)).model), outputs(second));
  assert.deepEqual(readdirSync(scratch).filter((f) => f.startsWith('.replace')), []);
});

test('a corrupt, truncated or missing file is an error that names the file', async () => {
  const model = trainedModel(5);
  const fresh = async (name: string) => {
    const dir = path.join(scratch, name);
    await saveModel(model, dir, { encoder: config });
    return dir;
  };
  let dir = await fresh('truncated');
  truncateSync(path.join(dir, 'weights.bin'), 100);
  await assert.rejects(loadModel(dir), new RegExp(`loadModel: ${escape(path.join(dir, 'weights.bin'))} is corrupt: 100 bytes, the manifest says \\d+`));

  dir = await fresh('flipped');
  const weights = readFileSync(path.join(dir, 'weights.bin'));
  weights[10] ^= 0xff;
  writeFileSync(path.join(dir, 'weights.bin'), weights);
  await assert.rejects(loadModel(dir), /weights\.bin is corrupt: its SHA-256 differs from the manifest's/);

  dir = await fresh('no-model-json');
  unlinkSync(path.join(dir, 'model.json'));
  await assert.rejects(loadModel(dir), new RegExp(`loadModel: ${escape(path.join(dir, 'model.json'))} is missing`));

  dir = await fresh('no-manifest');
  unlinkSync(path.join(dir, 'manifest.json'));
  await assert.rejects(loadModel(dir), /manifest\.json is missing/);

  dir = await fresh('bad-manifest');
  writeFileSync(path.join(dir, 'manifest.json'), '{"format": "hardneg-model", ');
  await assert.rejects(loadModel(dir), /manifest\.json is not valid JSON/);

  await assert.rejects(loadModel(path.join(scratch, 'never-saved')), /never-saved[/\\]manifest\.json is missing/);
});

test('saveModel refuses to replace a directory that is not a saved model, and rejects a bad encoder config', async () => {
  const dir = path.join(scratch, 'user-files');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'notes.txt'), 'keep me');
  await assert.rejects(saveModel(trainedModel(6), dir), /saveModel: .*user-files exists and is not a saved hardneg model; refusing to replace it/);
  assert.equal(readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'keep me');
  const bad = { ...config, head: { hiddenDim: 0, outputDim: 4 } };
  await assert.rejects(saveModel(trainedModel(6), path.join(scratch, 'bad-config'), { encoder: bad }), /saveModel: config\.head\.hiddenDim/);
  assert.equal(existsSync(path.join(scratch, 'bad-config')), false);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
