/**
 * The supervised study in a report: a directory written by `hardneg bench supervised`
 * (`study.json` + `results.jsonl`) becomes a table of mean ± std over seeds and one chart per
 * (dataset, init): test top-1 of the classifier against the shots per class, one line per
 * method, error bars of ± one standard deviation over the seeds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../data/dataReport.js';
import { readStudyResults, summarizeStudy, type StudyRow } from '../train/supervisedStudy.js';
import { tableHtml } from './html.js';
import type { ChartSpec } from './render.js';

export interface StudyData {
  path: string;
  rows: StudyRow[];
}

/** A directory that `hardneg bench supervised --out` wrote. */
export function isStudyDir(path: string): boolean {
  return existsSync(join(path, 'study.json')) && existsSync(join(path, 'results.jsonl'));
}

export function loadStudy(path: string): StudyData {
  const rows = readStudyResults(path);
  if (rows.length === 0) throw new DataError(`report: ${path}: results.jsonl holds no finished cell of the study`);
  return { path, rows };
}

const pm = ([m, s]: [number, number], digits = 3) => `${m.toFixed(digits)} ± ${s.toFixed(digits)}`;

/** The mean ± std table, one line per (dataset, init, shots, method). */
export function studyTableHtml(study: StudyData): string {
  const lines = summarizeStudy(study.rows).map((s) => [s.dataset, s.init, String(s.shots), s.method, String(s.seeds), pm(s.test_top1), pm(s.knn_top1), pm(s.alignment), pm(s.uniformity)]);
  return tableHtml(['dataset', 'init', 'shots', 'method', 'seeds', 'test top-1', 'kNN top-1', 'alignment', 'uniformity'], lines);
}

/** One chart per (dataset, init) of the study: `[id suffix, spec]`. */
export function studySpecs(study: StudyData): [string, ChartSpec][] {
  const summary = summarizeStudy(study.rows);
  const groups = [...new Set(summary.map((s) => `${s.dataset} ${s.init}`))];
  const methods = [...new Set(summary.map((s) => s.method))];
  return groups.map((group) => {
    const values = summary
      .filter((s) => `${s.dataset} ${s.init}` === group)
      .map((s) => ({ shots: s.shots, method: s.method, mean: s.test_top1[0], lo: s.test_top1[0] - s.test_top1[1], hi: s.test_top1[0] + s.test_top1[1] }));
    const [dataset, init] = group.split(' ');
    const shots = [...new Set(values.map((v) => v.shots))];
    const x = { field: 'shots', type: 'quantitative', title: 'training images per class (log scale)', scale: { type: 'log' }, axis: { values: shots, format: 'd' } };
    const color = { field: 'method', type: 'nominal', title: 'method', scale: { domain: methods }, sort: methods };
    const spec = {
      title: `${dataset}, ${init === 'moco' ? 'fine-tuning a MoCo encoder' : 'from scratch'}: test top-1 (mean ± std over seeds)`,
      width: 420,
      height: 240,
      data: { values },
      layer: [
        { mark: { type: 'errorbar', ticks: { size: 10 } }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'test top-1', axis: { format: '.0%' }, scale: { zero: false } }, y2: { field: 'hi' }, color } },
        { mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
      ],
    } as unknown as ChartSpec;
    return [`${dataset}-${init}`, spec];
  });
}
