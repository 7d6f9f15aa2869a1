/**
 * `hardneg report`: reads run directories (and study directories of `hardneg bench supervised`:
 * a table and a chart per dataset and init) and builds one self-contained HTML page with the runs,
 * their final metrics, training curves overlaid across runs, a UMAP map of each run's test
 * embeddings and each run's query–negative similarity histogram. A file a run lacks leaves its
 * chart out with a note; every chart can also be written as PNG.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { CURVE_METRICS, curvePoints, curveSpec } from './curves.js';
import { MIN_MAP_POINTS, embeddingMap, embeddingMapSpec, type MapOptions } from './embeddingMap.js';
import { finalTable } from './finalTable.js';
import { hardnessSpec } from './hardnessHistogram.js';
import { type PageSection, escapeHtml, reportPage, tableHtml } from './html.js';
import { type ChartSpec, renderSvg, svgToPng } from './render.js';
import { type RunData, type RunFile, loadRun, uniqueNames } from './runReader.js';
import { type StudyData, loadStudy, studySpecs, studyTableHtml } from './study.js';

export type SectionId = 'study' | 'runs' | 'final' | 'curves' | 'maps' | 'hardness';

export interface ReportChart {
  /** Unique, file-name safe; the figure's HTML id and the PNG's name. */
  id: string;
  section: SectionId;
  spec: ChartSpec;
  svg: string;
  caption?: string;
}

export interface ReportNote {
  section: SectionId;
  text: string;
}

export interface Report {
  runs: RunData[];
  studies: StudyData[];
  charts: ReportChart[];
  notes: ReportNote[];
  html: string;
}

export interface ReportOptions extends MapOptions {
  /** Study directories written by `hardneg bench supervised --out` (drawn before the runs). */
  studies?: string[];
  /** Histogram bins (default 40). */
  bins?: number;
  /** Called after each chart is rendered. */
  onProgress?: (done: number, total: number) => void;
}

/** What a missing file costs the report. */
const MISSING: Record<RunFile, [SectionId, string]> = {
  'config.json': ['runs', 'no config.json: its task, seed and settings are unknown'],
  'metrics.jsonl': ['curves', 'no metrics.jsonl: it has no training curves'],
  'final.json': ['final', 'no final.json: no final metrics (the run may not have finished)'],
  'hardness.json': ['hardness', 'no hardness.json: no similarity histogram (MoCo/MoCHi runs write one)'],
  'test-embeddings.npy': ['maps', 'no test-embeddings.npy: no embedding map'],
  'test-labels.npy': ['maps', 'no test-labels.npy: no embedding map (the points are coloured by class)'],
};

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'run';
}

interface PlannedChart {
  id: string;
  section: SectionId;
  caption?: string;
  spec: () => ChartSpec | Promise<ChartSpec>;
}

function planCharts(runs: RunData[], options: ReportOptions, notes: ReportNote[]): PlannedChart[] {
  const planned: PlannedChart[] = [];
  const names = runs.map((r) => r.name);
  for (const metric of CURVE_METRICS) {
    const points = curvePoints(runs, metric.key);
    if (points.length === 0) continue;
    const without = runs.filter((r) => !points.some((p) => p.run === r.name)).map((r) => r.name);
    const caption = without.length > 0 ? `Not logged by: ${without.join(', ')}.` : undefined;
    planned.push({ id: `curve-${slug(metric.key)}`, section: 'curves', caption, spec: () => curveSpec(metric, points, names) });
  }

  runs.forEach((run, r) => {
    const id = `${r + 1}-${slug(run.name)}`;
    const { embeddings, labels } = run;
    if (embeddings && labels) {
      if (embeddings.rows < MIN_MAP_POINTS) {
        notes.push({ section: 'maps', text: `${run.name}: ${embeddings.rows} test embeddings are too few for a map (at least ${MIN_MAP_POINTS}).` });
      } else {
        planned.push({ id: `map-${id}`, section: 'maps', spec: async () => embeddingMapSpec(run.name, await embeddingMap(embeddings, labels, options), embeddings.rows) });
      }
    }
    const groups = run.hardness ? Object.values(run.hardness.groups).filter((v) => v.length > 0).length : 0;
    if (run.hardness && groups === 0) notes.push({ section: 'hardness', text: `${run.name}: hardness.json holds no similarities.` });
    if (run.hardness && groups > 0) {
      const hardness = run.hardness;
      planned.push({ id: `hardness-${id}`, section: 'hardness', spec: () => hardnessSpec(run.name, hardness, options.bins) });
    }
  });
  return planned;
}

function studyCharts(studies: StudyData[]): PlannedChart[] {
  return studies.flatMap((study, i) => studySpecs(study).map(([id, spec]): PlannedChart => ({ id: `study-${i + 1}-${slug(id)}`, section: 'study', spec: () => spec })));
}

function missingNotes(runs: RunData[]): ReportNote[] {
  const notes: ReportNote[] = [];
  for (const run of runs) {
    for (const file of run.missing) {
      if (file === 'test-labels.npy' && run.missing.includes('test-embeddings.npy')) continue;
      const [section, text] = MISSING[file];
      notes.push({ section, text: `${run.name} (${run.path}): ${text}.` });
    }
  }
  return notes;
}

function runsTable(runs: RunData[]): string {
  const cfg = (run: RunData, key: string) => (run.config?.[key] === undefined ? '—' : String(run.config[key]));
  const rows = runs.map((run) => [run.name, run.path, cfg(run, 'task'), cfg(run, 'seed'), cfg(run, 'backend'), String(run.metrics?.length ?? '—'), cfg(run, 'created')]);
  const table = tableHtml(['run', 'directory', 'task', 'seed', 'backend', 'epochs logged', 'created'], rows);
  const settings = runs
    .filter((run) => run.config?.config !== undefined)
    .map((run) => `<details><summary>settings of ${escapeHtml(run.name)}</summary><pre>${escapeHtml(JSON.stringify(run.config!.config, null, 2))}</pre></details>`);
  return [table, ...settings].join('\n');
}

const SECTIONS: { id: SectionId; title: string; intro?: string }[] = [
  {
    id: 'study',
    title: 'Supervised study',
    intro: 'hardneg bench supervised: CE alone, (1−λ)·CE + λ·SupCon and (1−λ)·CE + λ·SCHaNe with one encoder, budget and augmentation; mean ± std over seeds.',
  },
  { id: 'runs', title: 'Runs' },
  { id: 'final', title: 'Final metrics', intro: 'From each run’s final.json; the best accuracy of each column is in bold.' },
  { id: 'curves', title: 'Training curves', intro: 'Per epoch, from metrics.jsonl, every run overlaid.' },
  { id: 'maps', title: 'Test embeddings', intro: 'A seeded UMAP of (a subsample of) each run’s test embeddings, coloured by class.' },
  {
    id: 'hardness',
    title: 'Hardness of the negatives',
    intro:
      'Similarities q·x of one batch of queries at the last epoch to the whole queue, its N hardest items, MoCHi’s mixed negatives h and query-mixed negatives h′, and the positives; each group is normalised to its own size.',
  },
];

/** Loads the runs and renders every chart they allow. */
export async function buildReport(paths: string[], options: ReportOptions = {}): Promise<Report> {
  const runs: RunData[] = [];
  for (const path of paths) runs.push(await loadRun(path));
  uniqueNames(runs);
  const studies = (options.studies ?? []).map(loadStudy);
  const notes = missingNotes(runs);
  const planned = [...studyCharts(studies), ...planCharts(runs, options, notes)];
  const charts: ReportChart[] = [];
  for (const chart of planned) {
    const spec = await chart.spec();
    charts.push({ id: chart.id, section: chart.section, caption: chart.caption, spec, svg: await renderSvg(spec) });
    options.onProgress?.(charts.length, planned.length);
  }
  const table = finalTable(runs);
  const tables: Partial<Record<SectionId, string>> = runs.length > 0 ? { runs: runsTable(runs) } : {};
  if (studies.length > 0) tables.study = studies.map((st) => `<p>${escapeHtml(st.path)}</p>\n${studyTableHtml(st)}`).join('\n');
  if (table.columns.length > 0) {
    tables.final = tableHtml(['run', ...table.columns], table.rows.map((r) => [r.run, ...r.cells]), table.rows.map((r) => [false, ...r.best]));
  }
  const sections: PageSection[] = SECTIONS.map((s) => ({
    ...s,
    html: tables[s.id],
    notes: notes.filter((n) => n.section === s.id).map((n) => n.text),
    figures: charts.filter((c) => c.section === s.id).map((c) => ({ id: c.id, svg: c.svg, caption: c.caption })),
  }));
  const studyCount = studies.length > 0 ? `${studies.length} stud${studies.length === 1 ? 'y' : 'ies'} · ` : '';
  const html = reportPage({
    title: `hardneg report: ${[...studies.map((st) => st.path), ...runs.map((r) => r.name)].join(', ')}`,
    subtitle: `${studyCount}${runs.length} run${runs.length === 1 ? '' : 's'} · ${charts.length} charts · generated ${new Date().toISOString()}`,
    sections: sections.filter((s) => s.html !== undefined || s.figures.length > 0 || s.notes.length > 0),
  });
  return { runs, studies, charts, notes, html };
}

/** Writes the page atomically and, with `pngDir`, one PNG per chart; returns the files written. */
export function writeReport(report: Report, out: string, pngDir?: string): string[] {
  writeFileAtomic(out, report.html);
  const files = [out];
  if (pngDir !== undefined) {
    for (const chart of report.charts) {
      const file = join(pngDir, `${chart.id}.png`);
      writeFileAtomic(file, svgToPng(chart.svg));
      files.push(file);
    }
  }
  return files;
}
