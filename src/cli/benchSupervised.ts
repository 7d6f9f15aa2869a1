/**
 * `hardneg bench supervised`: the supervised study (CE vs CE + SupCon vs CE + SCHaNe over shot
 * counts, seeds, datasets, from scratch and fine-tuning a MoCo encoder), resumable per cell.
 * Progress and a mean ± std table on stderr; `--json` ends with one line
 * `{"bench":"supervised","rows":[{dataset, init, method, shots, seed, test_top1, knn_top1, alignment, uniformity, seconds}, …]}`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { SCHANE_POSITIVES } from '../losses/schane.js';
import {
  runSupervisedStudy,
  STUDY_DATASETS,
  STUDY_DEFAULTS,
  STUDY_METHODS,
  summarizeStudy,
  type StudyInit,
  type StudyOptions,
  type StudyRow,
  type StudySettings,
} from '../train/supervisedStudy.js';
import { commandOutput } from './output.js';
import { startEngine, type GlobalOptions } from './engineOption.js';
import { numberIn, oneOf, positiveInt } from './options.js';

/** A comma-separated list, each item parsed by `item`, no duplicates, at least one. */
function listOf<T>(name: string, item: (v: string) => T): (value: string) => T[] {
  return (value) => {
    const parts = value.split(',').map((p) => p.trim());
    if (parts.some((p) => p === '')) throw new InvalidArgumentError(`${name} must be a comma-separated list, got '${value}'`);
    const items = parts.map(item);
    if (new Set(items).size !== items.length) throw new InvalidArgumentError(`${name} lists a value twice: '${value}'`);
    return items;
  };
}

function seedValue(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--seeds: each seed must be an integer >= 0, got '${v}'`);
  return n;
}

/** The study's settings as flags (`--limit` unset: all images), plus what the command adds. */
interface Flags extends Omit<StudySettings, 'limit'> {
  dataset: StudyOptions['datasets'];
  shots: number[];
  seeds: number[];
  methods: StudyOptions['methods'];
  fromScratch?: boolean;
  fromMoco?: boolean;
  limit?: number;
  out: string;
  json?: boolean;
}

const fmt = ([m, s]: [number, number], digits = 3) => `${m.toFixed(digits)} ± ${s.toFixed(digits)}`;

export function benchSupervisedCommand(): Command {
  return new Command('supervised')
    .description('the supervised study: CE vs (1−λ)·CE + λ·SupCon vs (1−λ)·CE + λ·SCHaNe, few-shot, from scratch and from a MoCo encoder')
    .option('--dataset <list>', `datasets, comma-separated (${STUDY_DATASETS.join(', ')})`, listOf('--dataset', oneOf(STUDY_DATASETS, '--dataset')), ['mnist'])
    .option('--shots <list>', 'training images per class, comma-separated', listOf('--shots', (v) => positiveInt(v, '--shots')), [1, 5, 10, 20])
    .option('--seeds <list>', 'seeds, comma-separated', listOf('--seeds', seedValue), [0, 1, 2])
    .option('--methods <list>', `methods, comma-separated (${STUDY_METHODS.join(', ')})`, listOf('--methods', oneOf(STUDY_METHODS, '--methods')), [...STUDY_METHODS])
    .option('--from-scratch', 'only cells trained from a random encoder (default: both inits)')
    .option('--from-moco', 'only cells fine-tuning the MoCo encoder pre-trained on the unlabeled training split (default: both inits)')
    .option('--lambda <x>', 'share λ of the contrastive term, in [0, 1]', numberIn('--lambda', 0, 1), STUDY_DEFAULTS.lambda)
    .option('--beta <x>', "SCHaNe's β, >= 0", numberIn('--beta', 0, Number.MAX_VALUE), STUDY_DEFAULTS.beta)
    .option('--temperature <x>', 'τ of SupCon and SCHaNe, in [0.001, 100]', numberIn('--temperature', 0.001, 100), STUDY_DEFAULTS.temperature)
    .option('--positives <form>', `SCHaNe's positives (${SCHANE_POSITIVES.join(', ')})`, oneOf(SCHANE_POSITIVES, '--positives'), STUDY_DEFAULTS.positives)
    .option('--epochs <n>', 'epochs per cell', (v) => positiveInt(v, '--epochs'), STUDY_DEFAULTS.epochs)
    .option('--moco-epochs <n>', 'epochs of the MoCo pre-training (once per dataset)', (v) => positiveInt(v, '--moco-epochs'), STUDY_DEFAULTS.mocoEpochs)
    .option('--limit <n>', 'keep n training images (seeded) before the few-shot choice and for MoCo (quick runs)', (v) => positiveInt(v, '--limit'))
    .option('--out <dir>', 'study directory: results.jsonl of finished cells (a rerun skips them), cells/, moco-<dataset>/', 'runs/bench-supervised')
    .option('--json', 'print only one JSON line of all rows on stdout (the rest goes to stderr)')
    .action(async (flags: Flags, cmd: Command) => {
      const inits: StudyInit[] = flags.fromScratch === flags.fromMoco ? ['scratch', 'moco'] : flags.fromScratch ? ['scratch'] : ['moco'];
      const options: StudyOptions = {
        datasets: flags.dataset, shots: flags.shots, seeds: flags.seeds, methods: flags.methods, inits,
        lambda: flags.lambda, beta: flags.beta, temperature: flags.temperature, positives: flags.positives,
        epochs: flags.epochs, mocoEpochs: flags.mocoEpochs, limit: flags.limit ?? null, out: flags.out,
      };
      await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const rows = await runSupervisedStudy(options, {
        log: (line) => console.error(line),
        onCell: (i, total, r, reused) =>
          console.error(
            `[${i + 1}/${total}] ${r.dataset} ${r.init} ${r.method} shots=${r.shots} seed=${r.seed}: test_top1 ${r.test_top1.toFixed(4)} knn_top1 ${r.knn_top1.toFixed(4)} ` +
              `alignment ${r.alignment.toFixed(3)} uniformity ${r.uniformity.toFixed(3)} ${reused ? '(finished before, reused)' : `${r.seconds.toFixed(1)}s`}`,
          ),
      });
      const out = commandOutput(flags.json);
      out.line(`\n${studyTable(rows)}`);
      out.json({ bench: 'supervised', rows });
    });
}

/** Markdown table of mean ± std over seeds, one line per (dataset, init, shots, method). */
export function studyTable(rows: StudyRow[]): string {
  const lines = ['| dataset | init | shots | method | seeds | test top-1 | kNN top-1 | alignment | uniformity |', '|---|---|---|---|---|---|---|---|---|'];
  for (const s of summarizeStudy(rows)) {
    lines.push(`| ${s.dataset} | ${s.init} | ${s.shots} | ${s.method} | ${s.seeds} | ${fmt(s.test_top1)} | ${fmt(s.knn_top1)} | ${fmt(s.alignment)} | ${fmt(s.uniformity)} |`);
  }
  return lines.join('\n');
}
