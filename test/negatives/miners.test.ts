import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { filterCandidates } from '../../src/negatives/falseNegativeFilter.js';
import { mineNegatives } from '../../src/negatives/miners.js';
import { setup } from '../helpers.js';


/** Unit vectors at angles θ (degrees) in 2-D: cos similarity to [1, 0] is cos θ. */
const at = (...deg: number[]) => tf.tensor2d(deg.map((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]));
let anchor: tf.Tensor2D;
// Candidate similarities to the anchor: 0:cos10=.985 1:cos20=.940 2:cos40=.766 3:cos60=.5 4:cos80=.174 5:cos0=1
let candidates: tf.Tensor2D;
before(async () => {
  await setup('wasm');
  anchor = at(0);
  candidates = at(10, 20, 40, 60, 80, 0);
});

test('hardest: top-k by similarity; known positives never come back', () => {
  const m = mineNegatives(anchor, candidates, { k: 2, positiveIds: [[5]] });
  assert.deepEqual([...m.indices], [0, 1]);
  assert.ok(Math.abs(m.scores[0] - Math.cos(Math.PI / 18)) < 1e-6);
  assert.equal(m.dropped.positive, 1);
});

test('false-negative filters: maxScore, margin, relativeMargin (TopK-PercPos), labels, rank window', () => {
  const pos = { positiveIds: [[5]] }; // positive score 1
  assert.deepEqual([...mineNegatives(anchor, candidates, { k: 2, ...pos, maxScore: 0.95 }).indices], [1, 2]);
  assert.deepEqual([...mineNegatives(anchor, candidates, { k: 2, ...pos, margin: 0.1 }).indices], [2, 3]);
  const perc = mineNegatives(anchor, candidates, { k: 3, ...pos, relativeMargin: 0.95 });
  assert.deepEqual([...perc.indices], [1, 2, 3]);
  assert.equal(perc.dropped.relativeMargin, 1);
  const labelled = mineNegatives(anchor, candidates, { k: 2, anchorLabels: [7], candidateLabels: [7, 1, 7, 1, 1, 7] });
  assert.deepEqual([...labelled.indices], [1, 3]);
  assert.equal(labelled.dropped.label, 3);
  assert.deepEqual([...mineNegatives(anchor, candidates, { k: 2, ...pos, rangeMin: 1, rangeMax: 3 }).indices], [1, 2]);
});

test('semi-hard picks the hardest negative within the margin below the positive; −1 when too few remain', () => {
  const m = mineNegatives(anchor, candidates, { k: 2, sampling: 'semi-hard', positiveScores: [0.9], semiHardMargin: 0.2 });
  assert.deepEqual([...m.indices], [2, -1]); // only cos40 = 0.766 lies in (0.7, 0.9)
  assert.ok(Number.isNaN(m.scores[1]));
});

test('random strategy is seeded and draws from the kept candidates', () => {
  const a = mineNegatives(anchor, candidates, { k: 3, sampling: 'random', positiveIds: [[5]], rng: new Rng(4) });
  const b = mineNegatives(anchor, candidates, { k: 3, sampling: 'random', positiveIds: [[5]], rng: new Rng(4) });
  assert.deepEqual(a.indices, b.indices);
  assert.ok([...a.indices].every((i) => i >= 0 && i <= 4));
  assert.equal(new Set(a.indices).size, 3);
});

test('filterCandidates counts the first reason only and needs the positive score for margins', () => {
  const cands = [{ index: 1, score: 0.9 }, { index: 2, score: 0.8 }, { index: 3, score: 0.1 }];
  const r = filterCandidates(cands, { positiveScore: 0.85, positives: new Set([1]) }, { maxScore: 0.5, relativeMargin: 0.95 });
  assert.deepEqual(r.kept.map((c) => c.index), [3]);
  assert.deepEqual([r.dropped.positive, r.dropped.maxScore, r.dropped.relativeMargin], [1, 1, 0]);
  assert.throws(() => filterCandidates(cands, {}, { margin: 0.1 }), /need the positive score/);
});

test('bad input names the argument', () => {
  assert.throws(() => mineNegatives(anchor, tf.zeros([3, 3]) as tf.Tensor2D, { k: 1 }), /candidates must have shape \[\*, 2\]/);
  assert.throws(() => mineNegatives(anchor, candidates, { k: 0 }), /k must be an integer >= 1, got 0/);
  assert.throws(() => mineNegatives(anchor, candidates, { k: 1, anchorLabels: [1] }), /give both anchorLabels and candidateLabels/);
  assert.throws(() => mineNegatives(anchor, candidates, { k: 1, candidateLabels: [1], anchorLabels: [1] }), /candidateLabels must have length 6/);
  assert.throws(() => mineNegatives(anchor, candidates, { k: 1, sampling: 'semi-hard' }), /semi-hard' needs positiveIds or positiveScores/);
});
