/** `hardneg embed`: folder / NPY / IDX / JSONL inputs, batches, ids, the head, atomic outputs. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { readNpy } from '../../src/data/npy.js';
import { encodeNpy } from '../../src/data/npyWrite.js';
import { Rng } from '../../src/engine/random.js';
import { Adapter } from '../../src/models/adapter.js';
import { buildEncoder } from '../../src/models/encoder.js';
import { backboneOf } from '../../src/models/projectionHead.js';
import { saveModel } from '../../src/train/savedModel.js';
import { assertClose, setup } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hardneg-embed-'));
after(() => rmSync(dir, { recursive: true, force: true }));
before(() => setup());

function hardneg(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/hardneg.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const N = 7;
const rng = new Rng(11);
/** 7 grey 4×4 images as bytes (so PNG, IDX and NPY hold exactly the same pixels). */
const bytes = Uint8Array.from(rng.uniformArray(N * 16, 0, 256), (v) => Math.floor(v));
const pixels = Float32Array.from(bytes, (v) => v / 255);

test('embed: an image folder, NPY and IDX in batches give the encoder\'s features (or --head), ids kept in JSONL', async () => {
  const config = { backbone: { kind: 'mlp' as const, inputDim: 16, hidden: [12], outputDim: 8 }, head: { hiddenDim: 6, outputDim: 5 } };
  const model = buildEncoder(config, new Rng(2));
  await saveModel(model, join(dir, 'model'), { encoder: config });
  const x = tf.tensor2d(pixels, [N, 16]);
  const features = backboneOf(model).predict(x) as tf.Tensor;
  const embedded = model.predict(x) as tf.Tensor;

  for (let i = 0; i < N; i++) {
    const png = new PNG({ width: 4, height: 4 });
    for (let p = 0; p < 16; p++) png.data.set([bytes[i * 16 + p], bytes[i * 16 + p], bytes[i * 16 + p], 255], 4 * p);
    mkdirSync(join(dir, 'folder', i < 4 ? 'a' : 'b'), { recursive: true });
    writeFileSync(join(dir, 'folder', i < 4 ? 'a' : 'b', `img${i}.png`), PNG.sync.write(png, { colorType: 0 }));
  }
  const r = hardneg('embed', '--model', join(dir, 'model'), '--input', join(dir, 'folder'), '-o', join(dir, 'f.jsonl'), '--batch', '3', '--json');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out.trim().split('\n').pop()!), { output: join(dir, 'f.jsonl'), rows: N, dim: 8 });
  const lines = readFileSync(join(dir, 'f.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; vector: number[] });
  assert.deepEqual(lines.map((l) => l.id), ['a/img0.png', 'a/img1.png', 'a/img2.png', 'a/img3.png', 'b/img4.png', 'b/img5.png', 'b/img6.png']);
  assertClose(Float32Array.from(lines.flatMap((l) => l.vector)), features.dataSync() as Float32Array, 1e-6);

  writeFileSync(join(dir, 'x.npy'), encodeNpy(pixels, [N, 4, 4, 1]));
  const npy = hardneg('embed', '--model', join(dir, 'model'), '--input', join(dir, 'x.npy'), '-o', join(dir, 'h.npy'), '--batch', '2', '--head');
  assert.equal(npy.code, 0, npy.err);
  const head = readNpy(join(dir, 'h.npy'));
  assert.deepEqual(head.shape, [N, 5]);
  assertClose(head.data as Float32Array, embedded.dataSync() as Float32Array, 1e-6);

  const idx = Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, N, 0, 0, 0, 4, 0, 0, 0, 4]), Buffer.from(bytes)]);
  writeFileSync(join(dir, 'x-ubyte'), idx);
  const fromIdx = hardneg('embed', '--model', join(dir, 'model'), '--input', join(dir, 'x-ubyte'), '-o', join(dir, 'i.npy'));
  assert.equal(fromIdx.code, 0, fromIdx.err);
  assertClose(readNpy(join(dir, 'i.npy')).data as Float32Array, features.dataSync() as Float32Array, 1e-6);
  tf.dispose([x, features, embedded]);
  model.dispose();

  writeFileSync(join(dir, 'folder', 'b', 'img9.png'), 'corrupt');
  const bad = hardneg('embed', '--model', join(dir, 'model'), '--input', join(dir, 'folder'), '-o', join(dir, 'bad.npy'), '--batch', '2');
  assert.equal(bad.code, 1);
  assert.match(bad.err, new RegExp(`^hardneg: error: ${join(dir, 'folder', 'b', 'img9.png')}: `, 'm'));
  assert.ok(!existsSync(join(dir, 'bad.npy')), 'no output on error');
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
  const shape = hardneg('embed', '--model', join(dir, 'model'), '--input', join(dir, 'wrong.npy'), '-o', join(dir, 'w.npy'));
  assert.match(shape.err, /wrong\.npy: cannot open/);
  writeFileSync(join(dir, 'wrong.npy'), encodeNpy(new Float32Array(2 * 9), [2, 3, 3]));
  const wrong = hardneg('embed', '--model', join(dir, 'model'), '--input', join(dir, 'wrong.npy'), '-o', join(dir, 'w.npy'));
  assert.match(wrong.err, /--input: .*wrong\.npy has rows of \[3, 3\] \(9 values\); the encoder takes 16/);
});

test('embed: an adapter embeds NPY and JSONL vectors (ids kept)', () => {
  const adapter = new Adapter({ dim: 3 }, new Rng(1));
  adapter.weights[0].assign(tf.tensor2d([[1, 2, 0], [0, 1, 0], [0, 0, -1]]));
  adapter.save(join(dir, 'adapter.safetensors'));
  writeFileSync(join(dir, 'v.jsonl'), '{"id": "q1", "vector": [1, 0, 0]}\n\n{"id": "q2", "vector": [0, 0, 2]}\n');
  const r = hardneg('embed', '--model', join(dir, 'adapter.safetensors'), '--input', join(dir, 'v.jsonl'), '-o', join(dir, 'v-out.jsonl'));
  assert.equal(r.code, 0, r.err);
  const rows = readFileSync(join(dir, 'v-out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((x) => x.id), ['q1', 'q2']);
  assertClose(Float32Array.from(rows.flatMap((x) => x.vector)), Float32Array.of(1 / Math.sqrt(5), 2 / Math.sqrt(5), 0, 0, 0, -1), 1e-6);
  adapter.dispose();
});
