import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/engine/random.js';
import { checkSelectionOptions, selectNegatives, SelectionTally } from '../../src/negatives/selection.js';

// Candidates best first: ids 0..7 with scores 0.9, 0.8, …, 0.2.
const list = Array.from({ length: 8 }, (_, i) => ({ index: i, score: Number((0.9 - 0.1 * i).toFixed(1)) }));
const ids = (s: { chosen: { index: number }[] }) => s.chosen.map((c) => c.index);

test('hardest: the first count that the filters keep', () => {
  const s = selectNegatives(list, { positives: new Set([0]), positiveScore: 0.9 }, { count: 3, relativeMargin: 0.9 });
  // 0 is the positive; 0.8 < 0.9 · 0.9 = 0.81, so 1 stays and is the hardest kept.
  assert.deepEqual(ids(s), [1, 2, 3]);
  assert.equal(s.kept.length, 7);
  assert.equal(s.dropped.positive, 1);
});

test('semi-hard: within the margin below the positive; fewer than count when too few qualify', () => {
  const s = selectNegatives(list, { positiveScore: 0.75 }, { count: 3, sampling: 'semi-hard', semiHardMargin: 0.2 });
  assert.deepEqual(ids(s), [2, 3]); // 0.7 and 0.6 lie in (0.55, 0.75)
  assert.throws(() => selectNegatives(list, {}, { count: 1, sampling: 'semi-hard' }), /needs the positive's score/);
});

test('random: a seeded draw from the kept list, hardest first, the same as one permutation of it', () => {
  const a = selectNegatives(list, { positives: new Set([3]) }, { count: 4, sampling: 'random' }, new Rng(5));
  const b = selectNegatives(list, { positives: new Set([3]) }, { count: 4, sampling: 'random' }, new Rng(5));
  assert.deepEqual(ids(a), ids(b));
  const kept = list.filter((c) => c.index !== 3);
  const expected = Array.from(new Rng(5).permutation(kept.length).subarray(0, 4), (i) => kept[i].index).sort((x, y) => x - y);
  assert.deepEqual(ids(a), expected); // scores fall with the id, so hardest first is ascending ids
  assert.throws(() => selectNegatives(list, {}, { count: 1, sampling: 'random' }), /needs an rng/);
});

test('the tally adds up seen, kept and dropped over anchors; options are checked once', () => {
  const tally = new SelectionTally();
  tally.add(list.length, selectNegatives(list, { positives: new Set([0, 1]) }, { count: 2 }));
  tally.add(list.length, selectNegatives(list, {}, { count: 2, rangeMax: 5 }));
  assert.deepEqual([tally.candidatesSeen, tally.keptByFilters, tally.dropped.positive, tally.dropped.range], [16, 11, 2, 3]);
  assert.throws(() => checkSelectionOptions('mine', { count: 0 }), /mine: count of negatives must be an integer >= 1, got 0/);
  assert.throws(() => checkSelectionOptions('mine', { count: 1, sampling: 'top' as never }), /sampling must be one of hardest, semi-hard, random, got top/);
});
