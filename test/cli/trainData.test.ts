/**
 * `hardneg train` on the user's own data: 500 Fashion-MNIST test images (Debian's IDX) written
 * as a folder of PNGs, as IDX files and as NPY arrays; MoCo/MoCHi and a supervised run on each.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { encodeNpy } from '../../src/data/npyWrite.js';

const SOURCE = '/usr/share/datasets/fashion-mnist';
const skip = existsSync(join(SOURCE, 't10k-images-idx3-ubyte.gz')) ? false : 'Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)';
const N = 500;
const dir = mkdtempSync(join(tmpdir(), 'hardneg-traindata-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function hardneg(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/hardneg.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The first N images / labels of the test split, as a folder of PNGs, IDX files and NPY arrays. */
function writeSources(): void {
  const images = gunzipSync(readFileSync(join(SOURCE, 't10k-images-idx3-ubyte.gz')));
  const labels = gunzipSync(readFileSync(join(SOURCE, 't10k-labels-idx1-ubyte.gz')));
  const pixels = images.subarray(16, 16 + N * 784);
  const ys = labels.subarray(8, 8 + N);
  for (let i = 0; i < N; i++) {
    const png = new PNG({ width: 28, height: 28 });
    for (let p = 0; p < 784; p++) png.data.set([pixels[i * 784 + p], pixels[i * 784 + p], pixels[i * 784 + p], 255], 4 * p);
    mkdirSync(join(dir, 'folder', `class${ys[i]}`), { recursive: true });
    writeFileSync(join(dir, 'folder', `class${ys[i]}`, `${i}.png`), PNG.sync.write(png, { colorType: 0 }));
  }
  const idxHeader = (shape: number[]) => {
    const h = Buffer.alloc(4 + 4 * shape.length);
    h.set([0, 0, 8, shape.length]);
    shape.forEach((d, k) => h.writeUInt32BE(d, 4 + 4 * k));
    return h;
  };
  writeFileSync(join(dir, 'images.idx'), Buffer.concat([idxHeader([N, 28, 28]), pixels]));
  writeFileSync(join(dir, 'labels.idx'), Buffer.concat([idxHeader([N]), ys]));
  writeFileSync(join(dir, 'images.npy'), encodeNpy(Float32Array.from(pixels, (v) => v / 255), [N, 28, 28, 1]));
  writeFileSync(join(dir, 'labels.npy'), encodeNpy(Int32Array.from(ys), [N]));
  writeFileSync(
    join(dir, 'base.yaml'),
    [
      'name: user-data',
      'task: moco',
      'encoder: { backbone: { kind: mlp, inputDim: 784, hidden: [128], outputDim: 32 } }',
      'epochs: 2',
      'batchSize: 50',
      'optimizer: { kind: sgd, lr: 0.05, momentum: 0.9, weightDecay: 0.0005 }',
      'moco: { queue: 200, mochi: { N: 64, s: 32, sPrime: 16 } }',
      'supervised: { loss: schane, lambda: 0.5 }',
      'eval: { knnK: 20 }',
      '',
    ].join('\n'),
  );
}
if (!skip) writeSources();

const SOURCES: Record<string, string[]> = {
  folder: ['data={"dataset":"image-folder","path":"FOLDER","testSize":100}'],
  idx: ['data.dataset=idx', 'data.images=IDXI', 'data.labels=IDXL', 'data.testSize=0.2'],
  npy: ['data.dataset=npy', 'data.images=NPYI', 'data.labels=NPYL', 'data.testSize=100'],
};
const paths = (s: string) =>
  s.replace('FOLDER', join(dir, 'folder')).replace('IDXI', join(dir, 'images.idx')).replace('IDXL', join(dir, 'labels.idx'))
    .replace('NPYI', join(dir, 'images.npy')).replace('NPYL', join(dir, 'labels.npy'));

for (const [name, sets] of Object.entries(SOURCES)) {
  test(`train on ${name}: MoCHi and supervised SCHaNe runs end to end from the CLI`, { skip }, () => {
    const results: Record<string, number> = {};
    for (const task of ['moco', 'supervised']) {
      const runName = `${name}-${task}`;
      const r = hardneg('train', '--config', join(dir, 'base.yaml'), '--name', runName, '--runs-dir', join(dir, 'runs'), '--json', '--set', `task=${task}`, ...sets.map(paths).flatMap((s) => ['--set', s]));
      assert.equal(r.code, 0, r.err);
      const final = JSON.parse(r.out.trim().split('\n').pop()!) as Record<string, number>;
      const meta = JSON.parse(readFileSync(join(dir, 'runs', runName, 'config.json'), 'utf8')) as { data: { train: number; test: number; dataset: string } };
      assert.deepEqual([meta.data.dataset, meta.data.train, meta.data.test], [name === 'folder' ? 'image-folder' : name, 400, 100]);
      results[task] = task === 'moco' ? final.knn_top1 : final.test_top1;
    }
    // 10 classes: chance is 0.1; raw-pixel kNN on these 400/100 images is ~0.7.
    assert.ok(results.moco > 0.4, `MoCHi kNN top-1 ${results.moco}`);
    assert.ok(results.supervised > 0.4, `supervised test top-1 ${results.supervised}`);
  });
}

test('train: an unlabelled NPY trains MoCo with a labelled test source; bad data is a one-line error naming the file', { skip }, () => {
  const r = hardneg('train', '--config', join(dir, 'base.yaml'), '--name', 'unlabelled', '--runs-dir', join(dir, 'runs'), '--json', '--epochs', '1',
    '--set', `data={"dataset":"npy","images":"${join(dir, 'images.npy')}","test":{"dataset":"idx","images":"${join(dir, 'images.idx')}","labels":"${join(dir, 'labels.idx')}"}}`);
  assert.equal(r.code, 0, r.err);
  const final = JSON.parse(r.out.trim().split('\n').pop()!) as Record<string, number>;
  assert.ok(final.knn_top1 > 0.3, `kNN top-1 ${final.knn_top1} (bank: 250 labelled test images)`);

  writeFileSync(join(dir, 'short.npy'), encodeNpy(Int32Array.of(1, 2, 3), [3]));
  const short = hardneg('train', '--config', join(dir, 'base.yaml'), '--runs-dir', join(dir, 'runs'), '--set', 'data.dataset=npy', '--set', `data.images=${join(dir, 'images.npy')}`, '--set', `data.labels=${join(dir, 'short.npy')}`);
  assert.equal(short.code, 1);
  const lines = short.err.trim().split('\n').filter((l) => !l.startsWith('backend:'));
  assert.deepEqual(lines, [`hardneg: error: loadNpyDataset: ${join(dir, 'short.npy')} has 3 labels but ${join(dir, 'images.npy')} has ${N} images`]);
  assert.ok(!existsSync(join(dir, 'runs', 'user-data')), 'nothing is written before the data loads');
  const missingKey = hardneg('train', '--config', join(dir, 'base.yaml'), '--runs-dir', join(dir, 'runs'), '--set', 'data.dataset=idx', '--set', `data.images=${join(dir, 'images.idx')}`);
  assert.equal(missingKey.code, 1);
  assert.match(missingKey.err, /base\.yaml\.data\.labels: /);
});
