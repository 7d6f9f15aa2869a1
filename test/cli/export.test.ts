/**
 * `hardneg export` and the PyTorch round trip: examples/load_in_pytorch.py rebuilds an MLP with a
 * head, a CNN with BatchNorm (inference mode, non-trivial statistics) and residual blocks, and a
 * residual adapter from the exported files; its embeddings must equal hardneg's to 1e-4.
 * Skipped without PyTorch at /usr/bin/python3.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { readNpy } from '../../src/data/npy.js';
import { encodeNpy } from '../../src/data/npyWrite.js';
import { Rng } from '../../src/engine/random.js';
import { Adapter } from '../../src/models/adapter.js';
import { buildEncoder, type EncoderConfig } from '../../src/models/encoder.js';
import { loadEncoderFile } from '../../src/models/encoderFile.js';
import { backboneOf } from '../../src/models/projectionHead.js';
import { saveModel } from '../../src/train/savedModel.js';
import { setup } from '../helpers.js';

const PYTHON = '/usr/bin/python3';
const torch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
const skip = torch.status === 0 ? false : 'PyTorch (and numpy) not importable at /usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'hardneg-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));
before(() => setup());

function hardneg(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/hardneg.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Embeddings PyTorch computes from the exported files for `inputs.npy`. */
function pytorch(description: string, inputs: string, head: boolean): Float32Array {
  const out = join(dir, 'torch-out.npy');
  const r = spawnSync(PYTHON, ['examples/load_in_pytorch.py', description, inputs, '--out', out, ...(head ? ['--head'] : [])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /embeddings; first row/);
  return readNpy(out).data as Float32Array;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

/** Random non-trivial values for every weight (BN statistics included: variance positive). */
function randomize(model: tf.LayersModel, rng: Rng): void {
  for (const w of model.weights) {
    const size = w.shape.reduce((p: number, d) => p * (d ?? 1), 1);
    const values = w.name.includes('moving_variance') ? rng.uniformArray(size, 0.5, 2) : rng.uniformArray(size, -0.5, 0.5);
    tf.tidy(() => {
      w.write(tf.tensor(values, w.shape as number[]));
    });
  }
}

const CASES: [string, EncoderConfig, number[]][] = [
  ['mlp', { backbone: { kind: 'mlp', inputDim: 48, hidden: [32, 24], outputDim: 16 }, head: { hiddenDim: 20, outputDim: 8 } }, [4, 4, 3]],
  ['cnn', { backbone: { kind: 'cnn', inputShape: [8, 6, 3], widths: [8, 12], blocks: 1, batchNorm: true }, head: { hiddenDim: 10, outputDim: 6 } }, [8, 6, 3]],
];

for (const [name, config, shape] of CASES) {
  test(`export --model: PyTorch rebuilds the ${name} and its embeddings equal hardneg's to 1e-4`, { skip }, async () => {
    const rng = new Rng(7);
    const model = buildEncoder(config, rng);
    randomize(model, rng);
    const modelDir = join(dir, `${name}-model`);
    await saveModel(model, modelDir, { encoder: config });
    const out = join(dir, `${name}.safetensors`);
    const r = hardneg('export', '--model', modelDir, '-o', out, '--json');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out.trim().split('\n').pop()!).description, join(dir, `${name}.json`));
    const description = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
    assert.equal(description.weights, `${name}.safetensors`);
    if (name === 'cnn') {
      assert.deepEqual(description.tensors.find((t: { name: string }) => t.name === 'backbone.stages.1.conv.weight').shape, [12, 8, 3, 3], 'OIHW');
      assert.ok(description.tensors.some((t: { name: string; dtype: string }) => t.name === 'backbone.stages.0.blocks.0.bn2.num_batches_tracked' && t.dtype === 'I64'));
    } else {
      assert.deepEqual(description.tensors[0], { name: 'backbone.linears.0.weight', dtype: 'F32', shape: [32, 48] }, '[out, in]');
    }
    const n = 5;
    const images = rng.uniformArray(n * shape.reduce((p, d) => p * d, 1), 0, 1);
    const inputs = join(dir, `${name}-inputs.npy`);
    writeFileSync(inputs, encodeNpy(images, [n, ...shape]));
    const x = config.backbone.kind === 'mlp' ? tf.tensor2d(images, [n, 48]) : tf.tensor4d(images, [n, ...shape] as [number, number, number, number]);
    const features = (backboneOf(model).predict(x) as tf.Tensor).dataSync() as Float32Array;
    const embedded = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    assert.ok(maxDiff(pytorch(join(dir, `${name}.json`), inputs, false), features) < 1e-4, 'backbone features');
    assert.ok(maxDiff(pytorch(join(dir, `${name}.json`), inputs, true), embedded) < 1e-4, 'head embeddings');

    const back = loadEncoderFile(out);
    const again = (back.model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    assert.deepEqual(Array.from(again), Array.from(embedded), 'the safetensors file loads back into hardneg bit for bit');
    tf.dispose([x, model, back.model] as unknown as tf.Tensor[]);
  });
}

test('export --model adapter.safetensors: the residual adapter in PyTorch equals hardneg to 1e-4; bad paths are one-line errors', { skip }, () => {
  const rng = new Rng(3);
  const adapter = new Adapter({ dim: 12, kind: 'residual', hidden: 9 }, rng);
  adapter.weights[2].assign(tf.tensor(rng.uniformArray(9 * 12, -0.4, 0.4), [9, 12]));
  adapter.weights[3].assign(tf.tensor(rng.uniformArray(12, -0.2, 0.2), [12]));
  const file = join(dir, 'adapter.safetensors');
  adapter.save(file);
  const r = hardneg('export', '--model', file, '-o', join(dir, 'adapter-export.safetensors'));
  assert.equal(r.code, 0, r.err);
  const vectors = rng.uniformArray(6 * 12, -1, 1);
  writeFileSync(join(dir, 'vectors.npy'), encodeNpy(vectors, [6, 12]));
  const diff = maxDiff(pytorch(join(dir, 'adapter-export.json'), join(dir, 'vectors.npy'), false), adapter.encode(vectors));
  assert.ok(diff < 1e-4, `adapter max |Δ| ${diff}`);
  adapter.dispose();

  const bad = hardneg('export', '--model', join(dir, 'nope'), '-o', join(dir, 'x.safetensors'));
  assert.equal(bad.code, 1);
  assert.match(bad.err, new RegExp(`^hardneg: error: --model: no such file or directory ${join(dir, 'nope')}`, 'm'));
  const wrongExt = hardneg('export', '--model', file, '-o', join(dir, 'x.bin'));
  assert.match(wrongExt.err, /-o: expected a path ending in \.safetensors, got .*x\.bin/);
  writeFileSync(join(dir, 'junk.safetensors'), 'not a model');
  const junk = hardneg('export', '--model', join(dir, 'junk.safetensors'), '-o', join(dir, 'y.safetensors'));
  assert.match(junk.err, /junk\.safetensors: not a safetensors file/);
  assert.ok(!existsSync(join(dir, 'x.safetensors')) && !existsSync(join(dir, 'y.safetensors')) && !existsSync(join(dir, 'y.json')), 'nothing written on error');
});

test('import: a CNN trained in PyTorch (its state dict as safetensors, no hardneg metadata) loads with the config\'s encoder, embeds equally, and fine-tunes via supervised.init', { skip }, () => {
  const config: EncoderConfig = { backbone: { kind: 'cnn', inputShape: [8, 8, 1], widths: [4, 6], blocks: 0, batchNorm: true } };
  const file = join(dir, 'torch.safetensors');
  const script = `
import json, struct, sys, torch, numpy as np
sys.path.insert(0, 'examples')
from load_in_pytorch import Encoder
torch.manual_seed(0)
model = Encoder(json.loads(sys.argv[1]))
for m in model.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        m.running_mean.uniform_(-0.3, 0.3); m.running_var.uniform_(0.5, 1.5); m.weight.data.uniform_(0.5, 1.5); m.bias.data.uniform_(-0.2, 0.2)
model.eval()
state = {k: v.contiguous() for k, v in model.state_dict().items()}
header, blobs, at = {}, [], 0
for k, v in state.items():
    raw = v.numpy().tobytes()
    header[k] = {"dtype": {torch.float32: "F32", torch.int64: "I64"}[v.dtype], "shape": list(v.shape), "data_offsets": [at, at + len(raw)]}
    blobs.append(raw); at += len(raw)
h = json.dumps(header).encode()
with open(sys.argv[2], "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
x = torch.from_numpy(np.load(sys.argv[3]))
np.save(sys.argv[4], model(x).detach().numpy())
`;
  const rng = new Rng(9);
  const images = rng.uniformArray(4 * 64, 0, 1);
  writeFileSync(join(dir, 'import-x.npy'), encodeNpy(images, [4, 8, 8, 1]));
  const r = spawnSync(PYTHON, ['-c', script, JSON.stringify(config), file, join(dir, 'import-x.npy'), join(dir, 'import-torch.npy')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { model } = loadEncoderFile(file, config);
  const ours = tf.tidy(() => (model.predict(tf.tensor4d(images, [4, 8, 8, 1])) as tf.Tensor).dataSync() as Float32Array);
  const diff = maxDiff(readNpy(join(dir, 'import-torch.npy')).data as Float32Array, ours);
  assert.ok(diff < 1e-4, `max |Δ| ${diff}`);
  model.dispose();
  assert.throws(() => loadEncoderFile(file), /torch\.safetensors: has no hardneg\.config metadata; give the architecture/);
  assert.throws(() => loadEncoderFile(file, { backbone: { ...config.backbone, widths: [4, 7] } as EncoderConfig['backbone'] }), /torch\.safetensors: tensor 'backbone\.stages\.1\.conv\.weight' has shape \[6, 4, 3, 3\], expected \[7, 4, 3, 3\]/);

  const labels = Int32Array.from({ length: 40 }, (_v, i) => i % 2);
  const pics = Float32Array.from({ length: 40 * 64 }, (_v, i) => (labels[Math.floor(i / 64)] === 1 ? 0.8 : 0.2) + 0.1 * rng.uniformArray(1, -1, 1)[0]);
  writeFileSync(join(dir, 'ft-x.npy'), encodeNpy(pics, [40, 8, 8, 1]));
  writeFileSync(join(dir, 'ft-y.npy'), encodeNpy(labels, [40]));
  writeFileSync(join(dir, 'ft.yaml'), `name: ft\ntask: supervised\nencoder: ${JSON.stringify(config)}\nepochs: 2\nbatchSize: 16\noptimizer: { kind: adam, lr: 0.01 }\ndata: { dataset: npy, images: ${join(dir, 'ft-x.npy')}, labels: ${join(dir, 'ft-y.npy')}, testSize: 10 }\nsupervised: { init: ${file} }\neval: { knnK: 5 }\naugment: { crop: false }\n`);
  const t = hardneg('train', '--config', join(dir, 'ft.yaml'), '--runs-dir', join(dir, 'runs'), '--json');
  assert.equal(t.code, 0, t.err);
  const final = JSON.parse(t.out.trim().split('\n').pop()!);
  assert.ok(final.knn_top1 >= 0.8 && final.test_top1 > 0, t.out);
});
