/**
 * The supervised study (`hardneg bench supervised`): cross-entropy alone against
 * (1 − λ)·CE + λ·SupCon and (1 − λ)·CE + λ·SCHaNe, with one encoder, budget and augmentation
 * for all three, over datasets × inits × shot counts × seeds. Init `scratch` trains from a
 * seeded random encoder; init `moco` fine-tunes the encoder that MoCo v2 pre-trained on the
 * dataset's unlabeled training split (the paper's setting), trained once per dataset and output
 * directory and reused by every cell.
 *
 * Each cell is one `trainSupervised` run in `<out>/cells/<cell>/`; its row (test top-1 of the
 * classifier, kNN top-1, alignment and uniformity of the backbone features on the test split)
 * is appended to `<out>/results.jsonl` when it finishes. A rerun skips the cells found there (a
 * killed study redoes only the cell it was in); `<out>/study.json` records the settings that
 * change results, and a rerun with other settings into the same directory is refused.
 *
 * The data split is that of seed 0 for every cell (so the MoCo encoder never saw a test image);
 * a cell's seed chooses its few-shot images, initial weights, batches and augmentations.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../engine/tf.js';
import { augmentConfig, type AugmentOverrides } from '../data/augment/config.js';
import type { TrainTest } from '../data/split.js';
import type { SCHaNePositives } from '../losses/schane.js';
import { BACKBONE_NAME } from '../models/projectionHead.js';
import { loadModel } from './savedModel.js';
import { appendFileChecked, writeFileAtomic } from '../util/atomicWrite.js';
import { parseTrainConfig, type TrainConfig } from './config.js';
import { embeddingGeometry } from './embeddingGeometry.js';
import { loadTrainTest } from './loadData.js';
import { RunWriter } from './runWriter.js';
import { trainSelfSupervised } from './selfSupervised.js';
import { trainSupervised } from './supervised.js';

export const STUDY_DATASETS = ['mnist', 'fashion-mnist'] as const;
export const STUDY_METHODS = ['ce', 'supcon', 'schane'] as const;
export const STUDY_INITS = ['scratch', 'moco'] as const;
export type StudyDataset = (typeof STUDY_DATASETS)[number];
export type StudyMethod = (typeof STUDY_METHODS)[number];
export type StudyInit = (typeof STUDY_INITS)[number];

/** What changes a cell's result (recorded in study.json; every cell of a directory shares it). */
export interface StudySettings {
  lambda: number;
  beta: number;
  temperature: number;
  positives: SCHaNePositives;
  epochs: number;
  mocoEpochs: number;
  /** Training images kept before the few-shot choice (and for MoCo), or all. */
  limit: number | null;
}

export interface StudyOptions extends StudySettings {
  datasets: StudyDataset[];
  inits: StudyInit[];
  methods: StudyMethod[];
  shots: number[];
  seeds: number[];
  out: string;
}

export interface StudyCell {
  dataset: StudyDataset;
  init: StudyInit;
  method: StudyMethod;
  shots: number;
  seed: number;
}

export interface StudyRow extends StudyCell {
  test_top1: number;
  knn_top1: number;
  alignment: number;
  uniformity: number;
  seconds: number;
}

export interface StudyHooks {
  /** One human line (progress). */
  log?(line: string): void;
  /** After each cell, computed or found finished: its index in the plan (0-based), the plan size, the row and whether it was reused. */
  onCell?(index: number, total: number, row: StudyRow, reused: boolean): void;
}

/** The defaults of the study (see docs/results.md for why). */
export const STUDY_DEFAULTS: StudySettings = { lambda: 0.5, beta: 1, temperature: 0.1, positives: 'mean-inside', epochs: 30, mocoEpochs: 10, limit: null };

const ENCODER = { backbone: { kind: 'mlp', inputDim: 784, hidden: [512], outputDim: 128 }, head: { hiddenDim: 128, outputDim: 64 } };
const AUGMENT = { crop: { scale: [0.6, 1] }, affine: { degrees: 10 } };

/** The cell's training config: configs/mnist-{ce,supcon,schane}.yaml with the study's settings. */
export function cellConfig(cell: StudyCell, s: StudySettings, mocoModel: string | null): TrainConfig {
  return parseTrainConfig(
    {
      name: cellName(cell),
      task: 'supervised',
      seed: cell.seed,
      data: { dataset: cell.dataset, ...(s.limit !== null ? { limit: s.limit } : {}) },
      encoder: ENCODER,
      epochs: s.epochs,
      batchSize: 50,
      optimizer: { kind: 'adam', lr: 0.002 },
      augment: AUGMENT,
      supervised: {
        loss: cell.method,
        lossOptions: cell.method === 'schane' ? { beta: s.beta, positives: s.positives } : {},
        lambda: s.lambda,
        temperature: s.temperature,
        shots: cell.shots,
        init: cell.init === 'moco' ? mocoModel : null,
      },
      eval: { every: s.epochs }, // the test split once, after the last epoch
    },
    `study cell ${cellName(cell)}`,
  );
}

/** MoCo v2 on the unlabeled training split (configs/mnist-moco.yaml with the study's encoder). */
export function mocoConfig(dataset: StudyDataset, s: StudySettings): TrainConfig {
  return parseTrainConfig(
    {
      name: `moco-${dataset}`,
      task: 'moco',
      seed: 0,
      data: { dataset, ...(s.limit !== null ? { limit: s.limit } : {}) },
      encoder: ENCODER,
      epochs: s.mocoEpochs,
      batchSize: 256,
      optimizer: { kind: 'sgd', lr: 0.4, momentum: 0.9, weightDecay: 0.0001 },
      warmupEpochs: Math.min(1, s.mocoEpochs - 1),
      augment: AUGMENT,
      moco: { loss: 'infonce', queue: 4096, momentum: 0.99, temperature: 0.1, mochi: null },
      eval: { every: s.mocoEpochs },
    },
    `study moco-${dataset}`,
  );
}

export function cellName(c: StudyCell): string {
  return `${c.dataset}-${c.init}-${c.method}-shots${c.shots}-seed${c.seed}`;
}

/** Every cell of the options, in run order (dataset, init, shots, seed, method). */
export function studyPlan(o: StudyOptions): StudyCell[] {
  const cells: StudyCell[] = [];
  for (const dataset of o.datasets)
    for (const init of o.inits)
      for (const shots of o.shots) for (const seed of o.seeds) for (const method of o.methods) cells.push({ dataset, init, method, shots, seed });
  return cells;
}

/** Finished rows in `<out>/results.jsonl` (a torn last line, from a kill mid-write, is ignored). */
export function readStudyResults(out: string): StudyRow[] {
  const file = join(out, 'results.jsonl');
  if (!existsSync(file)) return [];
  const rows: StudyRow[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      rows.push(JSON.parse(line) as StudyRow);
    } catch {
      // an interrupted append; that cell runs again
    }
  }
  return rows;
}

/** Refuses an output directory that holds a study with other settings; else records them. */
export function claimStudyDir(out: string, settings: StudySettings): void {
  mkdirSync(out, { recursive: true });
  const file = join(out, 'study.json');
  if (existsSync(file)) {
    let saved: StudySettings;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as StudySettings;
    } catch (err) {
      throw new Error(`${file}: ${err instanceof SyntaxError ? 'invalid JSON' : 'cannot read'} (${(err as Error).message})`, { cause: err });
    }
    const differing = (Object.keys(settings) as (keyof StudySettings)[]).filter((k) => saved[k] !== settings[k]);
    if (differing.length > 0) {
      const k = differing[0];
      throw new Error(`--out: ${out} holds a study with ${k} ${String(saved[k])}, not ${String(settings[k])}; choose another --out or the same settings`);
    }
    return;
  }
  writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`);
}

const same = (a: StudyCell, b: StudyCell) => a.dataset === b.dataset && a.init === b.init && a.method === b.method && a.shots === b.shots && a.seed === b.seed;

export async function runSupervisedStudy(o: StudyOptions, hooks: StudyHooks = {}): Promise<StudyRow[]> {
  const log = hooks.log ?? (() => {});
  const settings: StudySettings = { lambda: o.lambda, beta: o.beta, temperature: o.temperature, positives: o.positives, epochs: o.epochs, mocoEpochs: o.mocoEpochs, limit: o.limit };
  claimStudyDir(o.out, settings);
  const plan = studyPlan(o);
  const done = readStudyResults(o.out);
  const rows: StudyRow[] = [];
  const data = new Map<StudyDataset, TrainTest>();
  for (const [index, cell] of plan.entries()) {
    const found = done.find((r) => same(r, cell));
    if (found) {
      rows.push(found);
      hooks.onCell?.(index, plan.length, found, true);
      continue;
    }
    if (!data.has(cell.dataset)) data.set(cell.dataset, await loadTrainTest(cellConfig(cell, settings, null).data, 0));
    const full = data.get(cell.dataset)!;
    const moco = cell.init === 'moco' ? await pretrainMoco(o.out, cell.dataset, settings, full, log) : null;
    const row = await runCell(o.out, cell, settings, full, moco);
    appendFileChecked(join(o.out, 'results.jsonl'), `${JSON.stringify(row)}\n`);
    rows.push(row);
    hooks.onCell?.(index, plan.length, row, false);
  }
  return rows;
}

/** The MoCo encoder of `dataset` in `<out>/moco-<dataset>/`: reused when finished, resumed from its checkpoint when interrupted. */
async function pretrainMoco(out: string, dataset: StudyDataset, s: StudySettings, full: TrainTest, log: (line: string) => void): Promise<string> {
  const config = mocoConfig(dataset, s);
  const path = join(out, config.name);
  const model = join(path, 'checkpoint', 'model');
  if (existsSync(join(path, 'final.json'))) return model;
  const resume = existsSync(join(path, 'checkpoint'));
  if (!resume) rmSync(path, { recursive: true, force: true });
  const run = RunWriter.create(out, config.name, resume);
  if (!resume) run.writeJson('config.json', { config });
  log(`pre-training MoCo v2 on ${dataset} (${full.train.labels.length} unlabeled images, ${config.epochs} epochs)${resume ? ', resuming' : ''} → ${path}`);
  const { final } = await trainSelfSupervised(config, full, run, resume, {
    onEpoch: (m) => log(`  moco-${dataset} epoch ${m.epoch}/${config.epochs}: loss ${m.loss.toFixed(4)} ${m.seconds.toFixed(1)}s`),
  }).finally(() => run.release());
  log(`  moco-${dataset}: kNN top-1 ${final.knn_top1.toFixed(4)} on the test split`);
  return model;
}

async function runCell(out: string, cell: StudyCell, s: StudySettings, full: TrainTest, mocoModel: string | null): Promise<StudyRow> {
  const started = performance.now();
  const config = cellConfig(cell, s, mocoModel);
  const cells = join(out, 'cells');
  rmSync(join(cells, config.name), { recursive: true, force: true }); // a cell left unfinished by a kill starts over
  const run = RunWriter.create(cells, config.name, false);
  run.writeJson('config.json', { config });
  const result = await trainSupervised(config, full, run, false).finally(() => run.release());
  const { model } = await loadModel(join(run.path, 'checkpoint', 'model'));
  const geometry = embeddingGeometry(model.getLayer(BACKBONE_NAME) as tf.LayersModel, full.test, augmentConfig(config.augment as AugmentOverrides), cell.seed);
  model.dispose();
  // Keep the cell's config, metrics and final.json; drop the weights and the embeddings (MBs per cell).
  for (const f of ['checkpoint', 'test-embeddings.npy', 'test-labels.npy']) rmSync(run.file(f), { recursive: true, force: true });
  return {
    ...cell,
    test_top1: result.final.test_top1,
    knn_top1: result.final.knn_top1,
    ...geometry,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
}

/** Mean and sample standard deviation of each (dataset, init, method, shots) over its seeds. */
export interface StudySummary {
  dataset: StudyDataset;
  init: StudyInit;
  method: StudyMethod;
  shots: number;
  seeds: number;
  test_top1: [number, number];
  knn_top1: [number, number];
  alignment: [number, number];
  uniformity: [number, number];
}

export function summarizeStudy(rows: StudyRow[]): StudySummary[] {
  const groups = new Map<string, StudyRow[]>();
  for (const r of rows) {
    const key = `${r.dataset}|${r.init}|${r.method}|${r.shots}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const stat = (xs: number[]): [number, number] => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) : 0;
    return [m, Math.sqrt(v)];
  };
  return [...groups.values()].map((g) => ({
    dataset: g[0].dataset,
    init: g[0].init,
    method: g[0].method,
    shots: g[0].shots,
    seeds: g.length,
    test_top1: stat(g.map((r) => r.test_top1)),
    knn_top1: stat(g.map((r) => r.knn_top1)),
    alignment: stat(g.map((r) => r.alignment)),
    uniformity: stat(g.map((r) => r.uniformity)),
  }));
}
