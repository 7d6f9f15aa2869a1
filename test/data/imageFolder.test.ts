import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { readImageFolder } from '../../src/data/imageFolder.js';

const root = mkdtempSync(join(tmpdir(), 'hardneg-folder-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** RGBA bytes from rows of grey levels or [r, g, b] triples. */
function rgba(rows: (number | number[])[][]): { data: Buffer; width: number; height: number } {
  const height = rows.length;
  const width = rows[0].length;
  const data = Buffer.alloc(width * height * 4);
  rows.flat().forEach((v, p) => data.set([...(Array.isArray(v) ? v : [v, v, v]), 255], 4 * p));
  return { data, width, height };
}

function png(path: string, rows: (number | number[])[][], colorType: 0 | 2 | 6 = 0): void {
  const image = new PNG({ width: rows[0].length, height: rows.length });
  image.data = rgba(rows).data;
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, PNG.sync.write(image, { colorType }));
}

function folder(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
}

test('classes are sub-folders in name order; grey PNG and JPEG; other sizes centre-cropped and resized', () => {
  const dir = folder('mixed');
  png(join(dir, 'a', '1.png'), [[0, 51, 102], [153, 204, 255]]);
  png(join(dir, 'b', '0.png'), [[255, 0, 255], [0, 255, 0]]);
  // 4×6 has the output's aspect: the resize to 2×3 averages each 2×2 block
  png(join(dir, 'a', 'big.png'), [[0, 40, 80, 120, 160, 200], [40, 80, 120, 160, 200, 240], [10, 10, 20, 20, 30, 30], [10, 10, 20, 20, 30, 30]]);
  const flat = rgba(Array.from({ length: 8 }, () => Array(12).fill(128)));
  writeFileSync(join(dir, 'b', 'photo.JPG'), jpeg.encode(flat, 95).data);
  writeFileSync(join(dir, 'b', 'notes.txt'), 'not an image');
  png(join(dir, '.hidden', 'x.png'), [[1]]);
  writeFileSync(join(dir, 'README'), 'not a class');

  const { dataset, skipped, resized } = readImageFolder(dir);
  assert.deepEqual(dataset.classNames, ['a', 'b']);
  assert.deepEqual(dataset.shape, [4, 2, 3, 1]);
  assert.deepEqual(Array.from(dataset.labels), [0, 0, 1, 1]);
  assert.deepEqual(skipped, []);
  assert.equal(resized, 2); // big.png 4×6 and photo.JPG 8×12
  const image = (i: number) => Array.from(dataset.images.subarray(i * 6, (i + 1) * 6));
  assert.deepEqual(image(0), [0, 51, 102, 153, 204, 255].map((v) => Math.fround(v / 255)));
  assert.deepEqual(image(1), [40, 120, 200, 10, 20, 30].map((v) => Math.fround(v / 255)));
  assert.deepEqual(image(2), [255, 0, 255, 0, 255, 0].map((v) => Math.fround(v / 255)));
  assert.ok(image(3).every((v) => Math.abs(v - 128 / 255) <= 2 / 255), `JPEG grey ${image(3)}`);
});

test('RGB images give 3 channels, or luma with channels: 1; size crops to the output aspect', () => {
  const dir = folder('rgb');
  png(join(dir, 'c', 'x.png'), [[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]], [[0, 0, 0], [255, 255, 255], [1, 2, 3], [4, 5, 6]]], 2);
  const rgb = readImageFolder(dir).dataset;
  assert.deepEqual(rgb.shape, [1, 2, 4, 3]);
  assert.deepEqual(Array.from(rgb.images.subarray(0, 6)), [255, 0, 0, 0, 255, 0].map((v) => Math.fround(v / 255)));
  const grey = readImageFolder(dir, { channels: 1 }).dataset;
  assert.deepEqual(grey.shape, [1, 2, 4, 1]);
  assert.deepEqual(Array.from(grey.images.subarray(0, 3)), [0.299, 0.587, 0.114].map(Math.fround));
  // 2×4 to 2×2: the central 2×2 (columns 1 and 2), read pixel for pixel
  const square = readImageFolder(dir, { size: [2, 2] });
  assert.equal(square.resized, 1);
  assert.deepEqual(Array.from(square.dataset.images), [0, 255, 0, 0, 0, 255, 255, 255, 255, 1, 2, 3].map((v) => Math.fround(v / 255)));
});

test('bad images: an error naming the file, or skipped and counted with skipBad', () => {
  const dir = folder('bad');
  png(join(dir, 'a', '0.png'), [[0, 255]]);
  writeFileSync(join(dir, 'a', '1.png'), Buffer.from('definitely not a png'));
  png(join(dir, 'b', '2.png'), [[[255, 0, 0], [0, 0, 0]]], 2);
  writeFileSync(join(dir, 'b', '3.jpg'), jpeg.encode(rgba([[9, 9], [9, 9]]), 90).data.subarray(0, 40));
  assert.throws(() => readImageFolder(dir), (err: Error) => {
    assert.equal(err.name, 'DataError');
    assert.match(err.message, new RegExp(`^readImageFolder: ${join(dir, 'a', '1.png')}: `));
    assert.ok(!err.message.includes('\n'));
    return true;
  });
  const warnings: string[] = [];
  const { dataset, skipped } = readImageFolder(dir, { skipBad: true, onWarning: (m) => warnings.push(m) });
  assert.deepEqual(dataset.shape, [1, 1, 2, 1]);
  assert.deepEqual(Array.from(dataset.images), [0, 1]);
  assert.deepEqual(skipped.map((s) => s.file), ['1.png', '2.png', '3.jpg'].map((f, i) => join(dir, i === 0 ? 'a' : 'b', f)));
  assert.match(skipped[1].reason, /colour image in a folder read as grey from its first image \(pass channels: 3\)/);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^readImageFolder: skipped 3 of 4 images \(first: .*1.png: /);
  assert.deepEqual(readImageFolder(dir, { skipBad: true, channels: 3, onWarning: () => {} }).dataset.shape, [2, 1, 2, 3]);
});

test('folders without classes or images are errors', () => {
  const empty = folder('empty');
  assert.throws(() => readImageFolder(empty), /readImageFolder: .*empty has no class sub-folders \(expected .*empty\/<class>\/<image>.png\|.jpg\)/);
  mkdirSync(join(empty, 'k'));
  assert.throws(() => readImageFolder(empty), /has no .png, .jpg or .jpeg images in its class sub-folders/);
  assert.throws(() => readImageFolder(join(root, 'absent')), /readImageFolder: cannot read .*absent: ENOENT/);
  assert.throws(() => readImageFolder(empty, { size: [0, 4] }), /readImageFolder: size\[0\] must be an integer >= 1, got 0/);
  assert.throws(() => readImageFolder(empty, { channels: 4 as 3 }), /readImageFolder: channels must be 1 or 3, got 4/);
});
