import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng, defaultRng, seed } from '../../src/engine/random.js';

test('the same seed gives the same stream; another seed another stream', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xs = Array.from({ length: 100 }, () => a.nextUint32());
  assert.deepEqual(xs, Array.from({ length: 100 }, () => b.nextUint32()));
  assert.notDeepEqual(xs, Array.from({ length: 100 }, () => c.nextUint32()));
});

test('uniform, int, normal and permutation have the right ranges and moments', () => {
  const r = new Rng(1);
  const u = r.uniformArray(20000);
  assert.ok(u.every((v) => v >= 0 && v < 1));
  const mu = u.reduce((s, v) => s + v, 0) / u.length;
  assert.ok(Math.abs(mu - 0.5) < 0.01, `uniform mean ${mu}`);
  const n = r.normalArray(20000);
  const m = n.reduce((s, v) => s + v, 0) / n.length;
  const v = n.reduce((s, x) => s + (x - m) ** 2, 0) / n.length;
  assert.ok(Math.abs(m) < 0.03 && Math.abs(v - 1) < 0.05, `normal mean ${m} var ${v}`);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 7000; i++) counts[r.int(7)]++;
  assert.ok(counts.every((c) => c > 850 && c < 1150), `int counts ${counts}`);
  assert.deepEqual([...r.permutation(10)].sort((x, y) => x - y), [...Array(10).keys()]);
});

test('seed() resets the process-wide generator', () => {
  seed(7);
  const x = defaultRng().uniform();
  seed(7);
  assert.equal(defaultRng().uniform(), x);
  assert.throws(() => new Rng(NaN), /seed: expected a finite number/);
  assert.throws(() => new Rng(1).int(0), /expected a positive integer/);
});

test('intArray, uniformArray and their fill forms draw the values of int() and uniform() in turn, into any view', () => {
  for (const max of [1, 7, 256, (1 << 21) + 3, 2 ** 31 - 1]) {
    const [a, b, c] = [new Rng(max), new Rng(max), new Rng(max)];
    const one = Array.from({ length: 300 }, () => b.int(max));
    assert.deepEqual([...a.intArray(300, max)], one, `max ${max}`);
    const buffer = new Int32Array(310);
    c.fillInts(buffer.subarray(5, 305), max); // a view at an offset
    assert.deepEqual([...buffer.subarray(5, 305)], one);
    assert.deepEqual([buffer[4], buffer[305]], [0, 0]);
    assert.equal(a.nextUint32(), b.nextUint32()); // the generators advanced alike
    const d = new Rng(max);
    d.intArray(300, max);
    assert.equal(c.nextUint32(), d.nextUint32());
  }
  const [a, b, c] = [new Rng(9), new Rng(9), new Rng(9)];
  const one = Array.from({ length: 300 }, () => Math.fround(-2 + 5 * b.uniform()));
  assert.deepEqual([...a.uniformArray(300, -2, 3)], one);
  const buffer = new Float32Array(302);
  assert.deepEqual([...c.fillUniform(buffer.subarray(1, 301), -2, 3)], one);
  assert.equal(a.nextUint32(), c.nextUint32());
  assert.throws(() => c.fillInts(new Int32Array(3), 0), /expected a positive integer/);
});
