import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  cellConfig,
  claimStudyDir,
  mocoConfig,
  readStudyResults,
  STUDY_DEFAULTS,
  studyPlan,
  summarizeStudy,
  type StudyRow,
} from '../../src/train/supervisedStudy.js';
import { scratchDir } from '../helpers.js';

const row = (method: StudyRow['method'], seed: number, test_top1: number): StudyRow => ({
  dataset: 'mnist', init: 'scratch', method, shots: 5, seed, test_top1, knn_top1: test_top1 - 0.1, alignment: 0.5, uniformity: -2, seconds: 1,
});

test('the plan runs every (dataset, init, shots, seed, method) once, methods innermost', () => {
  const plan = studyPlan({ ...STUDY_DEFAULTS, datasets: ['mnist', 'fashion-mnist'], inits: ['scratch', 'moco'], methods: ['ce', 'schane'], shots: [1, 5], seeds: [0, 1, 2], out: 'x' });
  assert.equal(plan.length, 2 * 2 * 2 * 3 * 2);
  assert.deepEqual(plan.slice(0, 3).map((c) => [c.dataset, c.init, c.shots, c.seed, c.method]), [
    ['mnist', 'scratch', 1, 0, 'ce'], ['mnist', 'scratch', 1, 0, 'schane'], ['mnist', 'scratch', 1, 1, 'ce'],
  ]);
  assert.equal(new Set(plan.map((c) => JSON.stringify(c))).size, plan.length);
});

test('every method of a cell gets the same encoder, budget and augmentation; only the loss differs', () => {
  const cell = { dataset: 'mnist' as const, init: 'moco' as const, shots: 5, seed: 2 };
  const configs = (['ce', 'supcon', 'schane'] as const).map((method) => cellConfig({ ...cell, method }, STUDY_DEFAULTS, '/m/checkpoint/model'));
  const strip = (c: (typeof configs)[number]) => ({ ...c, name: '', supervised: { ...c.supervised, loss: '', lossOptions: {} } });
  assert.deepEqual(strip(configs[1]), strip(configs[0]));
  assert.deepEqual(strip(configs[2]), strip(configs[0]));
  assert.deepEqual(configs.map((c) => c.supervised.loss), ['ce', 'supcon', 'schane']);
  assert.deepEqual([configs[2].seed, configs[2].supervised.shots, configs[2].supervised.init, configs[2].supervised.lambda], [2, 5, '/m/checkpoint/model', 0.5]);
  assert.deepEqual(configs.map((c) => c.supervised.lossOptions), [{}, {}, { beta: 1, positives: 'mean-inside' }]);
  assert.deepEqual(mocoConfig('mnist', STUDY_DEFAULTS).encoder, configs[0].encoder);
  assert.equal(cellConfig({ ...cell, init: 'scratch', method: 'ce' }, STUDY_DEFAULTS, '/m').supervised.init, null);
});

test('summary: mean and sample standard deviation over seeds per (dataset, init, method, shots)', () => {
  const rows = [row('ce', 0, 0.8), row('ce', 1, 0.9), row('ce', 2, 0.7), row('schane', 0, 0.5)];
  const [ce, schane] = summarizeStudy(rows);
  assert.deepEqual([ce.method, ce.seeds, schane.seeds], ['ce', 3, 1]);
  assert.ok(Math.abs(ce.test_top1[0] - 0.8) < 1e-12 && Math.abs(ce.test_top1[1] - 0.1) < 1e-12);
  assert.ok(Math.abs(ce.knn_top1[0] - 0.7) < 1e-12);
  assert.deepEqual(schane.test_top1, [0.5, 0]);
});

test('results file: a torn last line (a kill mid-append) is ignored; other settings in the same directory are refused', () => {
  const { dir } = scratchDir('study-unit');
  writeFileSync(join(dir, 'results.jsonl'), `${JSON.stringify(row('ce', 0, 0.8))}\n{"dataset":"mni`);
  assert.deepEqual(readStudyResults(dir).map((r) => r.test_top1), [0.8]);
  claimStudyDir(dir, STUDY_DEFAULTS);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8')), STUDY_DEFAULTS);
  claimStudyDir(dir, { ...STUDY_DEFAULTS });
  assert.throws(() => claimStudyDir(dir, { ...STUDY_DEFAULTS, beta: 2 }), /--out: .* holds a study with beta 1, not 2; choose another --out/);
});
