import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { classCounts } from '../../src/data/dataset.js';
import { readIdx } from '../../src/data/idx.js';
import { FASHION_MNIST_DIR, loadFashionMnist, loadIdxDataset } from '../../src/data/idxDataset.js';

const dir = mkdtempSync(join(tmpdir(), 'hardneg-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file: magic 00 00 08 ndim, big-endian dims, then the bytes. */
function idx(shape: number[], data: number[], type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  header.set([0, 0, type, shape.length]);
  shape.forEach((d, i) => new DataView(header.buffer).setUint32(4 + 4 * i, d, false));
  return Uint8Array.from([...header, ...data]);
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('reads plain and gzip IDX files; gzip is detected by content', () => {
  const pixels = [0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6];
  const plain = write('img-plain', idx([2, 2, 3], pixels));
  const gz = write('img.gz', gzipSync(idx([2, 2, 3], pixels)));
  for (const path of [plain, gz]) {
    const a = readIdx(path);
    assert.deepEqual(a.shape, [2, 2, 3]);
    assert.deepEqual(Array.from(a.data), pixels);
  }
});

test('an images and a labels file make a dataset scaled by 1/255', () => {
  const images = write('images', idx([2, 1, 3], [0, 51, 255, 102, 153, 204]));
  const labels = write('labels.gz', gzipSync(idx([2], [1, 0])));
  const ds = loadIdxDataset(images, labels, ['a', 'b']);
  assert.deepEqual(ds.shape, [2, 1, 3, 1]);
  assert.deepEqual(Array.from(ds.images), [0, 0.2, 1, 0.4, 0.6, 0.8].map(Math.fround));
  assert.deepEqual(Array.from(ds.labels), [1, 0]);
  const three = write('labels3', idx([2], [0, 3]));
  assert.throws(() => loadIdxDataset(images, three, ['a', 'b']), new RegExp(`loadIdxDataset: ${three}: label 3 at index 1 is not below 2 classes`));
  const short = write('labels1', idx([1], [0]));
  assert.throws(() => loadIdxDataset(images, short, ['a', 'b']), /has 1 labels but .*images has 2 images/);
});

test('corrupt, truncated and unsupported files give one-line errors naming the file', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['tiny', Uint8Array.of(0, 0), /too short for an IDX header \(2 bytes\)/],
    ['magic', Uint8Array.of(1, 2, 8, 1, 0, 0, 0, 1, 5), /not an IDX file \(magic bytes 0x01 0x02, expected 0x00 0x00\)/],
    ['float', idx([1], [0, 0, 0, 0], 0x0d), /element type 0x0d \(float32\) is not supported; only 0x08 \(uint8\)/],
    ['header', Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 2), /truncated header: 3 dimensions need 16 bytes, file has 8/],
    ['truncated', idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7]), /truncated: shape \[2, 2, 2\] needs 8 bytes of data, found 7/],
    ['long', idx([2], [1, 2, 3]), /1 unexpected bytes after the data of shape \[2\]/],
    ['zero', idx([0, 2], []), /has a zero dimension \[0, 2\]/],
  ];
  for (const [name, bytes, message] of cases) {
    const path = write(name, bytes);
    assert.throws(() => readIdx(path), (err: Error) => {
      assert.equal(err.name, 'DataError');
      assert.ok(err.message.startsWith(`readIdx: ${path}: `), err.message);
      assert.match(err.message, message);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  }
  const cut = gzipSync(idx([4], [1, 2, 3, 4]));
  const badGz = write('cut.gz', cut.subarray(0, cut.length - 6));
  assert.throws(() => readIdx(badGz), new RegExp(`readIdx: ${badGz}: corrupt gzip data \\(unexpected end of file\\)`));
  assert.throws(() => readIdx(join(dir, 'missing')), /readIdx: cannot read .*missing: ENOENT/);
});

test('loadFashionMnist reads a directory of the four files, plain or gzip, and names missing ones', () => {
  const fashion = join(dir, 'fashion');
  mkdirSync(fashion);
  const write4 = (name: string, bytes: Uint8Array) => writeFileSync(join(fashion, name), bytes);
  write4('train-images-idx3-ubyte.gz', gzipSync(idx([3, 2, 2], [...Array(12).keys()].map((v) => v * 20))));
  write4('train-labels-idx1-ubyte', idx([3], [9, 0, 4]));
  write4('t10k-images-idx3-ubyte', idx([1, 2, 2], [255, 0, 0, 255]));
  assert.throws(
    () => loadFashionMnist({ dir: fashion }),
    new RegExp(`DataError: loadFashionMnist: ${fashion} lacks t10k-labels-idx1-ubyte \\(plain or .gz\\): install it with 'apt-get install dataset-fashion-mnist', or pass --data <dir> with `),
  );
  write4('t10k-labels-idx1-ubyte.gz', gzipSync(idx([1], [7])));
  const { train, test, split } = loadFashionMnist({ dir: fashion });
  assert.deepEqual(train.shape, [3, 2, 2, 1]);
  assert.deepEqual(Array.from(train.labels), [9, 0, 4]);
  assert.equal(train.classNames[9], 'Ankle boot');
  assert.deepEqual(Array.from(test.images), [1, 0, 0, 1]);
  assert.equal(split.method, 'files');
  assert.deepEqual([split.train, split.test], [3, 1]);
  const none = join(dir, 'nothing-here');
  assert.throws(() => loadFashionMnist({ dir: none }), (err: Error) => {
    assert.match(err.message, /Fashion-MNIST not found \(no directory .*nothing-here\): install it with 'apt-get install dataset-fashion-mnist', or pass --data <dir>/);
    assert.ok(!err.message.includes('\n'));
    return true;
  });
});

test('Fashion-MNIST from the Debian package dataset-fashion-mnist', { skip: !existsSync(FASHION_MNIST_DIR) && `not installed (apt-get install dataset-fashion-mnist)` }, () => {
  const { train, test } = loadFashionMnist();
  assert.deepEqual(train.shape, [60000, 28, 28, 1]);
  assert.deepEqual(test.shape, [10000, 28, 28, 1]);
  assert.deepEqual(classCounts(train.labels, 10), Array(10).fill(6000));
  assert.deepEqual(classCounts(test.labels, 10), Array(10).fill(1000));
  let max = 0;
  for (const v of test.images) max = Math.max(max, v);
  assert.equal(max, 1);
});
