/**
 * The histogram of query–negative similarities of `hardness.json` (MoCHi §3): the whole queue,
 * its N hardest, the mixed negatives h, the query-mixed h′ and the positives, each normalised to
 * its own total (the queue has far more values than the others), on shared bins.
 */
import { GROUP_COLORS, type ChartSpec } from './render.js';
import { HARDNESS_GROUPS, type Hardness, type HardnessGroup } from './runReader.js';

export const GROUP_LABELS: Record<HardnessGroup, string> = {
  queue: 'queue',
  hardest: 'hardest N',
  mixed: 'mixed h',
  query_mixed: 'query-mixed h′',
  positive: 'positive',
};

export interface HistogramBin {
  group: string;
  /** Bin centre and edges. */
  x: number;
  x0: number;
  x1: number;
  /** Share of the group's values in this bin. */
  share: number;
}

export interface HardnessSummary {
  group: HardnessGroup;
  label: string;
  count: number;
  mean: number;
}

/** Per-group shares over `bins` equal bins spanning every value (the last bin is closed). */
export function hardnessBins(hardness: Hardness, bins = 40): HistogramBin[] {
  const present = HARDNESS_GROUPS.filter((g) => (hardness.groups[g]?.length ?? 0) > 0);
  let lo = Infinity;
  let hi = -Infinity;
  for (const g of present) for (const v of hardness.groups[g]!) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (present.length === 0) return [];
  if (hi - lo < 1e-6) [lo, hi] = [lo - 0.01, hi + 0.01];
  const width = (hi - lo) / bins;
  const out: HistogramBin[] = [];
  for (const g of present) {
    const values = hardness.groups[g]!;
    const counts = new Float64Array(bins);
    for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    for (let b = 0; b < bins; b++) {
      const x0 = lo + b * width;
      out.push({ group: GROUP_LABELS[g], x: x0 + width / 2, x0, x1: x0 + width, share: counts[b] / values.length });
    }
  }
  return out;
}

/** Count and mean similarity of each present group. */
export function hardnessSummary(hardness: Hardness): HardnessSummary[] {
  return HARDNESS_GROUPS.filter((g) => (hardness.groups[g]?.length ?? 0) > 0).map((g) => {
    const values = hardness.groups[g]!;
    return { group: g, label: GROUP_LABELS[g], count: values.length, mean: values.reduce((a, b) => a + b, 0) / values.length };
  });
}

/** The outline of each group's histogram: a point at each bin's left edge, and one closing the last bin. */
function stepPoints(bins: HistogramBin[]): { group: string; x: number; share: number }[] {
  const out: { group: string; x: number; share: number }[] = [];
  bins.forEach((bin, i) => {
    out.push({ group: bin.group, x: bin.x0, share: bin.share });
    if (bins[i + 1]?.group !== bin.group) out.push({ group: bin.group, x: bin.x1, share: bin.share });
  });
  return out;
}

/** Overlaid step histograms, one colour per group. */
export function hardnessSpec(run: string, hardness: Hardness, bins = 40): ChartSpec {
  const summary = hardnessSummary(hardness);
  const labels = summary.map((s) => s.label);
  const colors = summary.map((s) => GROUP_COLORS[s.group]);
  const epoch = hardness.epoch === undefined ? '' : `epoch ${hardness.epoch} · `;
  return {
    title: {
      text: `Query–negative similarities — ${run}`,
      subtitle: `${epoch}mean q·x: ${summary.map((s) => `${s.label} ${s.mean.toFixed(3)}`).join(', ')}`,
    },
    width: 520,
    height: 240,
    data: { values: stepPoints(hardnessBins(hardness, bins)) },
    mark: { type: 'area', interpolate: 'step-after', opacity: 0.22, line: { strokeWidth: 1.8 } },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'similarity to the query q·x', scale: { zero: false, nice: false } },
      y: { field: 'share', type: 'quantitative', title: 'share of the group', stack: null, axis: { format: '.0%' } },
      color: {
        field: 'group',
        type: 'nominal',
        title: 'group',
        scale: { domain: labels, range: colors },
        sort: labels,
        legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 },
      },
    },
  } as ChartSpec;
}
