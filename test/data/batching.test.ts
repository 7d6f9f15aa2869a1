import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchSchedule, mixSeed, stepRng } from '../../src/data/batching.js';
import { Rng } from '../../src/engine/random.js';

test('each epoch is a seeded permutation cut into batches; dropLast drops the short tail', () => {
  const s = new BatchSchedule(10, { batchSize: 4, seed: 3 });
  assert.equal(s.stepsPerEpoch, 3);
  const order = s.order(0);
  assert.deepEqual(Array.from(order), Array.from(new Rng(mixSeed(3, 0)).permutation(10)));
  assert.deepEqual([...s.batch(0, 0), ...s.batch(0, 1), ...s.batch(0, 2)], Array.from(order));
  assert.equal(s.batch(0, 2).length, 2);
  assert.notDeepEqual(Array.from(s.order(1)), Array.from(order), 'another epoch, another order');
  const drop = new BatchSchedule(10, { batchSize: 4, seed: 3, dropLast: true });
  assert.equal(drop.stepsPerEpoch, 2);
  assert.deepEqual(Array.from(drop.batch(0, 1)), Array.from(order.subarray(4, 8)));
  assert.throws(() => drop.batch(0, 2), /BatchSchedule.batch: step must be an integer in \[0, 1\], got 2/);
});

test('an item list is permuted as given; shuffle: false keeps the order', () => {
  const items = [7, 3, 9, 1, 5];
  const s = new BatchSchedule(items, { batchSize: 2, seed: 1 });
  const perm = new Rng(mixSeed(1, 4)).permutation(5);
  assert.deepEqual(Array.from(s.order(4)), Array.from(perm, (p) => items[p]));
  const plain = new BatchSchedule(items, { batchSize: 2, seed: 1, shuffle: false });
  assert.deepEqual(Array.from(plain.batches({}, 1), (b) => Array.from(b.indices)), [[7, 3], [9, 1], [5]]);
});

test('batches resume from (epoch, step) exactly as an uninterrupted run', () => {
  const s = new BatchSchedule(50, { batchSize: 8, seed: 11, dropLast: true });
  const full = Array.from(s.batches({}, 3), (b) => [b.epoch, b.step, Array.from(b.indices)] as const);
  assert.equal(full.length, 3 * 6);
  const fresh = new BatchSchedule(50, { batchSize: 8, seed: 11, dropLast: true });
  const resumed = Array.from(fresh.batches({ epoch: 1, step: 4 }, 3), (b) => [b.epoch, b.step, Array.from(b.indices)] as const);
  assert.deepEqual(resumed, full.slice(6 + 4));
  for (let e = 0; e < 3; e++) {
    const seen = full.filter(([epoch]) => epoch === e).flatMap(([, , idx]) => idx);
    assert.equal(new Set(seen).size, 48, 'no item twice in an epoch');
  }
});

test('mixSeed and stepRng depend on every part', () => {
  assert.equal(mixSeed(1, 2, 3), mixSeed(1, 2, 3));
  const seeds = new Set([mixSeed(0, 0), mixSeed(0, 1), mixSeed(1, 0), mixSeed(1, 1), mixSeed(0), mixSeed(0, 0, 0)]);
  assert.equal(seeds.size, 6);
  assert.equal(stepRng(5, 2, 7).uniform(), stepRng(5, 2, 7).uniform());
  assert.notEqual(stepRng(5, 2, 7).uniform(), stepRng(5, 2, 8).uniform());
});

test('bad schedules are argument errors', () => {
  assert.throws(() => new BatchSchedule(3, { batchSize: 4, seed: 0, dropLast: true }), /BatchSchedule: 3 items make no batch of 4 with dropLast/);
  assert.throws(() => new BatchSchedule(3, { batchSize: 0, seed: 0 }), /BatchSchedule: batchSize must be an integer >= 1, got 0/);
  assert.throws(() => new BatchSchedule(3, { batchSize: 1, seed: 0.5 }), /BatchSchedule: seed must be an integer/);
});
