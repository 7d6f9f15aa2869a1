/**
 * Training curves: one chart per metric of `metrics.jsonl`, epoch on x, every run that logged the
 * metric overlaid (one colour per run, the same colour in every chart).
 */
import { type ChartSpec } from './render.js';
import { type RunData } from './runReader.js';

export interface CurveMetric {
  key: string;
  title: string;
  axis: string;
  /** Values are shares in [0, 1], drawn as percentages from 0. */
  share?: boolean;
  /** Draw the whole 0–100% range (accuracies), not just up to the largest value. */
  fullRange?: boolean;
}

/** The curves a report draws, when at least one run logged them. */
export const CURVE_METRICS: CurveMetric[] = [
  { key: 'loss', title: 'Training loss', axis: 'loss' },
  { key: 'knn_top1', title: 'kNN top-1 accuracy (test split)', axis: 'kNN top-1', share: true, fullRange: true },
  { key: 'test_top1', title: 'Classifier top-1 accuracy (test split)', axis: 'test top-1', share: true, fullRange: true },
  { key: 'proxy_acc', title: 'Proxy-task accuracy (positive beats every negative)', axis: 'proxy accuracy', share: true },
  { key: 'fn_share', title: 'False negatives among the N hardest', axis: 'false-negative share', share: true },
  { key: 'dev_recall@10', title: 'Recall@10 (dev split)', axis: 'dev Recall@10', share: true },
  { key: 'dev_ndcg@10', title: 'nDCG@10 (dev split)', axis: 'dev nDCG@10', share: true },
];

export interface CurvePoint {
  run: string;
  epoch: number;
  value: number;
}

/** The (run, epoch, value) points of one metric, runs in order, epochs as the run lists them (ascending). */
export function curvePoints(runs: RunData[], key: string): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (const run of runs) {
    for (const row of run.metrics ?? []) if (row[key] !== undefined) points.push({ run: run.name, epoch: row.epoch, value: row[key] });
  }
  return points;
}

/** The line chart of one metric; `runNames` fixes the colour of each run across charts. */
export function curveSpec(metric: CurveMetric, points: CurvePoint[], runNames: string[]): ChartSpec {
  return {
    title: metric.title,
    width: 420,
    height: 240,
    data: { values: points },
    mark: { type: 'line', point: true, strokeWidth: 2, clip: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: metric.axis,
        scale: metric.fullRange ? { domain: [0, 1] } : { zero: metric.share === true },
        ...(metric.share ? { axis: { format: '.0%' } } : {}),
      },
      color: { field: 'run', type: 'nominal', title: 'run', scale: { domain: runNames }, sort: runNames },
    },
  } as ChartSpec;
}
