import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprint, largestRemainder, stratifiedSplit } from '../../src/data/split.js';

test('largestRemainder: proportional shares that sum to the total, ties to the lower index', () => {
  // MNIST class sizes, 2000 of 10000: exact shares 200.2 225.4 198.2 206.4 196 172.6 202.8 214 188.8 195.6
  assert.deepEqual(largestRemainder([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], 2000), [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
  assert.deepEqual(largestRemainder([1, 1, 1], 2), [1, 1, 0]);
  assert.deepEqual(largestRemainder([3, 0, 5], 4), [2, 0, 2]); // 1.5, 0, 2.5: the tie goes to class 0
  assert.deepEqual(largestRemainder([0, 0], 0), [0, 0]);
});

test('fingerprint: FNV-1a over little-endian int32 bytes', () => {
  assert.equal(fingerprint(new Int32Array(0)), '811c9dc5'); // the FNV offset basis
  // FNV-1a of the bytes 01 00 00 00, computed by hand from the definition
  let h = 0x811c9dc5;
  for (const byte of [1, 0, 0, 0]) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  assert.equal(fingerprint(Int32Array.of(1)), h.toString(16).padStart(8, '0'));
  assert.notEqual(fingerprint(Int32Array.of(1, 2)), fingerprint(Int32Array.of(2, 1)));
});

test('stratifiedSplit: per-class test counts, disjoint sorted halves, seeded', () => {
  const labels = Int32Array.from({ length: 30 }, (_v, i) => (i < 20 ? 0 : i < 25 ? 1 : 2));
  const a = stratifiedSplit(labels, 3, 6, 4);
  assert.deepEqual(a.description.testCounts, [4, 1, 1]);
  assert.deepEqual(a.description.trainCounts, [16, 4, 4]);
  assert.equal(a.trainIndices.length + a.testIndices.length, 30);
  const all = [...a.trainIndices, ...a.testIndices].sort((x, y) => x - y);
  assert.deepEqual(all, [...Array(30).keys()]);
  for (const idx of [a.trainIndices, a.testIndices]) assert.ok(idx.every((v, i) => i === 0 || v > idx[i - 1]), 'sorted');
  assert.deepEqual(stratifiedSplit(labels, 3, 6, 4).testIndices, a.testIndices);
  assert.notDeepEqual(stratifiedSplit(labels, 3, 6, 5).testIndices, a.testIndices);
  assert.equal(a.description.testFingerprint, fingerprint(a.testIndices));
  assert.throws(() => stratifiedSplit(labels, 3, 31, 0), /stratifiedSplit: testSize must be an integer in \[0, 30\], got 31/);
  assert.throws(() => stratifiedSplit(Int32Array.of(0, 3), 3, 1, 0), /labels\[1\] = 3 is outside 0..2/);
});
