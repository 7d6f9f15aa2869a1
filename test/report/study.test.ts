import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { buildReport } from '../../src/report/report.js';
import { isStudyDir, loadStudy } from '../../src/report/study.js';
import { STUDY_DEFAULTS, type StudyRow } from '../../src/train/supervisedStudy.js';
import { scratchDir, setup } from '../helpers.js';

before(() => setup('wasm'));

const row = (init: StudyRow['init'], method: StudyRow['method'], shots: number, seed: number, test_top1: number): StudyRow => ({
  dataset: 'mnist', init, method, shots, seed, test_top1, knn_top1: 0.5, alignment: 0.4, uniformity: -2, seconds: 1,
});

function studyDir(rows: StudyRow[]): string {
  const { dir } = scratchDir('report-study');
  const out = join(dir, 'study');
  mkdirSync(out);
  writeFileSync(join(out, 'study.json'), JSON.stringify(STUDY_DEFAULTS));
  writeFileSync(join(out, 'results.jsonl'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return out;
}

test('a study directory becomes a mean ± std table and one test top-1 chart per (dataset, init)', async () => {
  const rows = [
    row('scratch', 'ce', 1, 0, 0.8), row('scratch', 'ce', 1, 1, 0.9), row('scratch', 'ce', 1, 2, 0.7),
    row('scratch', 'schane', 1, 0, 0.6), row('scratch', 'ce', 5, 0, 0.85), row('moco', 'ce', 1, 0, 0.95),
  ];
  const dir = studyDir(rows);
  assert.ok(isStudyDir(dir));
  const report = await buildReport([], { studies: [dir] });
  assert.deepEqual(report.charts.map((c) => [c.section, c.id]), [['study', 'study-1-mnist-scratch'], ['study', 'study-1-mnist-moco']]);
  assert.ok(report.charts.every((c) => c.svg.startsWith('<svg')));
  assert.match(report.html, /<td>mnist<\/td><td>scratch<\/td><td>1<\/td><td>ce<\/td><td>3<\/td><td>0\.800 ± 0\.100<\/td>/);
  assert.match(report.html, /<td>mnist<\/td><td>moco<\/td><td>1<\/td><td>ce<\/td><td>1<\/td><td>0\.950 ± 0\.000<\/td>/);
  assert.match(report.html, /Supervised study/);
});

test('a study directory without a finished cell is a one-line error naming it', () => {
  const dir = studyDir([]);
  assert.throws(() => loadStudy(dir), /report: .*study: results\.jsonl holds no finished cell of the study/);
});
