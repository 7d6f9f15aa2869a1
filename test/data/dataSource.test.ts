import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PNG } from 'pngjs';
import { loadUserTrainTest } from '../../src/data/dataSource.js';
import { createDataset, subsetDataset } from '../../src/data/dataset.js';
import { encodeNpy } from '../../src/data/npyWrite.js';
import { splitInPlace } from '../../src/data/partition.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { Rng } from '../../src/engine/random.js';

const root = mkdtempSync(join(tmpdir(), 'hardneg-source-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A 2×2 grey PNG whose pixels are all `level`. */
function png(path: string, level: number): void {
  const image = new PNG({ width: 2, height: 2 });
  image.data = Buffer.from(Array.from({ length: 4 }, () => [level, level, level, 255]).flat());
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, PNG.sync.write(image, { colorType: 0 }));
}

/** IDX bytes: uint8 elements of `shape`. */
function idx(shape: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.set([0, 0, 8, shape.length]);
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

test('splitInPlace reorders the rows to [train, test] exactly as copying subsets would', () => {
  const n = 37;
  const rng = new Rng(5);
  const images = rng.uniformArray(n * 2 * 3 * 2, 0, 1);
  const labels = Int32Array.from({ length: n }, (_v, i) => (i * 7) % 4);
  const dataset = createDataset(images, labels, [n, 2, 3, 2], ['a', 'b', 'c', 'd']);
  const split = stratifiedSplit(labels, 4, 11, 3);
  const expectTrain = subsetDataset(dataset, split.trainIndices);
  const expectTest = subsetDataset(dataset, split.testIndices);
  const { train, test: held } = splitInPlace(dataset, split.trainIndices, split.testIndices);
  assert.deepEqual([train.shape, held.shape], [[26, 2, 3, 2], [11, 2, 3, 2]]);
  assert.deepEqual(Array.from(train.images), Array.from(expectTrain.images));
  assert.deepEqual(Array.from(held.images), Array.from(expectTest.images));
  assert.deepEqual([Array.from(train.labels), Array.from(held.labels)], [Array.from(expectTrain.labels), Array.from(expectTest.labels)]);
  assert.equal(train.images.buffer, images.buffer, 'the views share the one array');
  assert.throws(() => splitInPlace(expectTrain, Int32Array.of(0, 1), Int32Array.of(1)), /index 1 is outside 0\.\.25 or repeated|do not cover 26 images/);
});

test('an image folder is split 80/20 by class, seeded; bad images fail naming the file, or are skipped and counted', () => {
  const dir = join(root, 'folder');
  for (let i = 0; i < 10; i++) {
    png(join(dir, 'dark', `${i}.png`), 10 + i);
    png(join(dir, 'light', `${i}.png`), 200 + i);
  }
  const tt = loadUserTrainTest({ dataset: 'image-folder', path: dir }, { seed: 1, requireLabels: true });
  assert.deepEqual([tt.train.shape, tt.test.shape, tt.train.classNames], [[16, 2, 2, 1], [4, 2, 2, 1], ['dark', 'light']]);
  assert.equal(tt.split.method, 'stratified');
  assert.deepEqual(tt.split.method === 'stratified' && tt.split.testCounts, [2, 2]);
  for (const set of [tt.train, tt.test]) {
    set.labels.forEach((y, i) => assert.equal(set.images[4 * i] < 0.5, y === 0, 'each image kept its label'));
  }
  const again = loadUserTrainTest({ dataset: 'image-folder', path: dir }, { seed: 1, requireLabels: true, testSize: 4 });
  assert.deepEqual(Array.from(again.test.images), Array.from(tt.test.images), 'testSize 4 = 0.2 of 20, same seed');

  writeFileSync(join(dir, 'light', 'broken.png'), 'not a png');
  assert.throws(() => loadUserTrainTest({ dataset: 'image-folder', path: dir }, { seed: 1, requireLabels: true }), /light\/broken\.png: /);
  const warnings: string[] = [];
  const skipped = loadUserTrainTest({ dataset: 'image-folder', path: dir, skipBad: true }, { seed: 1, requireLabels: true, onWarning: (m) => warnings.push(m) });
  assert.equal(skipped.skipped, 1);
  assert.equal(skipped.train.labels.length + skipped.test.labels.length, 20);
  assert.match(warnings.join('\n'), /skipped 1 of 21 images \(first: .*broken\.png/);

  const single = join(root, 'single');
  png(join(single, 'only', '0.png'), 3);
  png(join(single, 'only', '1.png'), 4);
  assert.throws(() => loadUserTrainTest({ dataset: 'image-folder', path: single }, { seed: 0, requireLabels: false }), /config\.data\.path: .*single has one class sub-folder \('only'\)/);
  assert.throws(() => loadUserTrainTest({ dataset: 'image-folder', path: dir, skipBad: true }, { seed: 0, requireLabels: true, testSize: 20 }), /config\.data\.testSize: 20 gives 20 test images of 20/);
});

test('IDX and NPY sources: labels of the wrong length, the wrong rank, and an unlabelled NPY with a labelled test source', () => {
  const dir = join(root, 'arrays');
  mkdirSync(dir);
  const pixels = Array.from({ length: 6 * 4 }, (_v, i) => (i * 37) % 256);
  writeFileSync(join(dir, 'x.idx'), idx([6, 2, 2], pixels));
  writeFileSync(join(dir, 'y.idx'), idx([6], [0, 1, 0, 1, 2, 2]));
  writeFileSync(join(dir, 'y5.idx'), idx([5], [0, 1, 0, 1, 2]));
  const fromIdx = loadUserTrainTest({ dataset: 'idx', images: join(dir, 'x.idx'), labels: join(dir, 'y.idx') }, { seed: 0, requireLabels: true, testSize: 3 });
  assert.deepEqual([fromIdx.train.labels.length, fromIdx.test.labels.length, fromIdx.train.classNames], [3, 3, ['0', '1', '2']]);
  assert.throws(
    () => loadUserTrainTest({ dataset: 'idx', images: join(dir, 'x.idx'), labels: join(dir, 'y5.idx') }, { seed: 0, requireLabels: true }),
    /y5\.idx has 5 labels but .*x\.idx has 6 images/,
  );

  writeFileSync(join(dir, 'x.npy'), encodeNpy(Float32Array.from(pixels, (v) => v / 255), [6, 2, 2, 1]));
  writeFileSync(join(dir, 'flat.npy'), encodeNpy(new Float32Array(24), [6, 4]));
  writeFileSync(join(dir, 'y.npy'), encodeNpy(Int32Array.of(1, 0, 1, 0, 1, 0), [6]));
  writeFileSync(join(dir, 'y4.npy'), encodeNpy(Int32Array.of(1, 0, 1, 0), [4]));
  assert.throws(() => loadUserTrainTest({ dataset: 'npy', images: join(dir, 'flat.npy'), labels: join(dir, 'y.npy') }, { seed: 0, requireLabels: true }), /flat\.npy: expected images .* got rank 2 \[6, 4\]/);
  assert.throws(() => loadUserTrainTest({ dataset: 'npy', images: join(dir, 'x.npy'), labels: join(dir, 'y4.npy') }, { seed: 0, requireLabels: true }), /y4\.npy has 4 labels but .*x\.npy has 6 images/);

  const unlabelled = { dataset: 'npy' as const, images: join(dir, 'x.npy') };
  assert.throws(() => loadUserTrainTest(unlabelled, { seed: 0, requireLabels: true }), /config\.data\.labels: .*x\.npy has no labels file; a supervised run needs one/);
  assert.throws(() => loadUserTrainTest(unlabelled, { seed: 0, requireLabels: false }), /config\.data\.test: .*x\.npy has no labels, so the kNN monitor needs a labelled test source/);
  const tt = loadUserTrainTest(unlabelled, { seed: 0, requireLabels: false, test: { dataset: 'idx', images: join(dir, 'x.idx'), labels: join(dir, 'y.idx') } });
  assert.equal(tt.train.labels.length, 6);
  assert.deepEqual([tt.knnBank?.labels.length, tt.test.labels.length], [3, 3], 'half the labelled test source is the kNN bank');
  assert.deepEqual([Array.from(tt.knnBank!.labels).sort(), Array.from(tt.test.labels).sort()], [[0, 1, 2], [0, 1, 2]], 'stratified halves');
  assert.deepEqual(tt.split, { method: 'files', trainFiles: [join(dir, 'x.npy')], testFiles: [join(dir, 'x.idx'), join(dir, 'y.idx')], train: 6, test: 3 });
  writeFileSync(join(dir, 'x3.npy'), encodeNpy(new Float32Array(6 * 3 * 2), [6, 3, 2]));
  assert.throws(
    () => loadUserTrainTest({ dataset: 'npy', images: join(dir, 'x3.npy'), labels: join(dir, 'y.npy') }, { seed: 0, requireLabels: true, test: { dataset: 'idx', images: join(dir, 'x.idx'), labels: join(dir, 'y.idx') } }),
    /config\.data\.test: .*x\.idx has images \[2, 2, 1\], the training source .*x3\.npy \[3, 2, 1\]/,
  );
});
