/**
 * `hardneg train-retrieval` and `hardneg eval-retrieval`: the WordNet reverse-dictionary task
 * (query: a noun synset's definition; document: its lemmas), trained with in-batch, mined, or
 * mined and filtered negatives, and evaluated on dev/test against all 76,066 documents.
 */
import * as tf from '../engine/tf.js';
import { Command, InvalidArgumentError } from 'commander';
import { reverseDictionary } from '../experiments/reverseDictionary.js';
import { Rng } from '../engine/random.js';
import type { RetrievalMetrics } from '../eval/retrieval.js';
import { HashedTextEncoder } from '../models/textEncoder.js';
import { TextRetriever } from '../retrieval/retrievers.js';
import { checkRunName, RunWriter, type Metrics } from '../train/runWriter.js';
import { hardnegVersion } from '../train/train.js';
import { evaluateSplit, runWordnetRetrieval, type Split, type WordnetEpochReport, type WordnetRunOptions } from '../experiments/wordnetRetrieval.js';
import { startEngine, type GlobalOptions } from './engineOption.js';
import { flagErrors, learningRate, MAX_LR, nonNegativeInt, numberIn, oneOf, positiveInt } from './options.js';
import { commandOutput } from './output.js';

interface SplitFlags {
  train: number;
  dev: number;
  test: number;
  json?: boolean;
}

interface TrainFlags extends SplitFlags {
  negatives: 'in-batch' | 'mined' | 'mined-filtered' | 'none';
  model: 'text' | 'adapter';
  epochs: number;
  batch: number;
  hardNegatives: number;
  candidates: number;
  relativeMargin: number;
  remineEvery: number;
  mineFrom: number;
  negativePool: 'train' | 'corpus';
  lr: number;
  tableLr: number;
  dim: number;
  hidden: number;
  buckets: number;
  seeds: number[];
  eval: Split[];
  out?: string;
  runsDir?: string;
  name?: string;
  skipNonfinite?: boolean;
}

interface EvalFlags extends SplitFlags {
  encoder: string;
  dim: number;
  buckets: number;
  seed: number;
  split: Split;
}

const METRICS = ['recall@1', 'recall@10', 'recall@100', 'mrr@10', 'ndcg@10'];

function splitOptions(cmd: Command): Command {
  return cmd
    .option('--train <n>', 'training queries (synsets); 0: all but dev and test', (v) => nonNegativeInt(v, '--train'), 20_000)
    .option('--dev <n>', 'dev queries', (v) => positiveInt(v, '--dev'), 1000)
    .option('--test <n>', 'test queries', (v) => positiveInt(v, '--test'), 1000)
    .option('--json', 'print only one JSON line on stdout (the rest goes to stderr)');
}

export function trainRetrievalCommand(): Command {
  return splitOptions(
    new Command('train-retrieval')
      .description('train a retriever on the WordNet reverse dictionary (definition → lemmas) and report Recall@1/10/100, MRR@10, nDCG@10')
      .option('--negatives <source>', 'in-batch | mined | mined-filtered | none (evaluate the untrained model)', oneOf(['in-batch', 'mined', 'mined-filtered', 'none'] as const, '--negatives'), 'mined-filtered')
      .option('--model <kind>', 'text (the hashed n-gram encoder) | adapter (a linear query-side adapter over the untrained encoder\'s vectors)', oneOf(['text', 'adapter'] as const, '--model'), 'text')
      .option('--epochs <n>', 'epochs', (v) => positiveInt(v, '--epochs'), 3)
      .option('--batch <n>', 'batch size', (v) => positiveInt(v, '--batch'), 128)
      .option('--hard-negatives <n>', 'mined negatives per query', (v) => positiveInt(v, '--hard-negatives'), 3)
      .option('--candidates <n>', 'candidates searched per query when mining', (v) => positiveInt(v, '--candidates'), 50)
      .option('--relative-margin <r>', 'mined-filtered: keep candidates scoring below r × the positive (TopK-PercPos), r in (0, 1]', numberIn('--relative-margin', 0, 1, ['min']), 0.95)
      .option('--remine-every <n>', 'mine again every n epochs', (v) => positiveInt(v, '--remine-every'), 1)
      .option('--negative-pool <docs>', 'mine negatives from the training synsets\' documents (train) or from all documents (corpus)', oneOf(['train', 'corpus'] as const, '--negative-pool'), 'train')
      .option('--mine-from <epoch>', 'first epoch (0-based) with mined negatives; earlier epochs use in-batch negatives only', (v) => nonNegativeInt(v, '--mine-from'), 0)
      .option('--lr <x>', `Adam learning rate of the dense weights, in (0, ${MAX_LR}]`, learningRate('--lr'), 1e-3)
      .option('--table-lr <x>', `lazy-Adam learning rate of the embedding table, in (0, ${MAX_LR}]`, learningRate('--table-lr'), 0.01)
      .option('--dim <n>', 'embedding dimension', (v) => positiveInt(v, '--dim'), 64)
      .option('--hidden <n>', 'hidden width of the residual MLP (0: none)', (v) => nonNegativeInt(v, '--hidden'), 256)
      .option('--buckets <n>', 'hash buckets', (v) => positiveInt(v, '--buckets'), 1 << 18)
      .option('--seeds <list>', 'seeds, comma-separated: one run each, then mean ± std', seedList, [0])
      .option('--eval <splits>', 'splits to evaluate: dev, test or dev,test', splitList, ['dev', 'test'] as Split[])
      .option('-o, --out <file>', 'save the trained encoder (model text) or adapter (last seed) as a .safetensors file')
      .option('--runs-dir <dir>', 'write a run directory per seed, <dir>/<name>-seed<k> (config.json, metrics.jsonl with dev metrics per epoch, final.json), for hardneg report')
      .option('--name <name>', 'run name for --runs-dir (default retrieval-<model>-<negatives>)')
      .option('--skip-nonfinite', 'skip a step whose loss or gradients are NaN/Inf instead of stopping'),
  ).action(async (flags: TrainFlags, cmd: Command) => {
    if (flags.runsDir !== undefined) for (const seed of flags.seeds) checkRunName(runName(flags, seed), flags.runsDir);
    const mining = flags.negatives === 'mined' || flags.negatives === 'mined-filtered';
    flagErrors([
      [flags.hardNegatives > flags.candidates, `--hard-negatives must be <= --candidates (${flags.candidates}), got ${flags.hardNegatives}`],
      [mining && flags.mineFrom >= flags.epochs, `--mine-from must be < --epochs (${flags.epochs}) with --negatives ${flags.negatives} (0-based: mining would never start), got ${flags.mineFrom}`],
      [mining && flags.remineEvery > flags.epochs, `--remine-every must be <= --epochs (${flags.epochs}), got ${flags.remineEvery}`],
      [flags.name !== undefined && flags.runsDir === undefined, `--name needs --runs-dir (it names the run directories), got --name ${flags.name} alone`],
    ]);
    const out = commandOutput(flags.json);
    const { backend } = await startEngine(cmd.optsWithGlobals<GlobalOptions>());
    const task = reverseDictionary({ train: flags.train === 0 ? Infinity : flags.train, dev: flags.dev, test: flags.test });
    const runs: { seed: number; metrics: Partial<Record<Split, RetrievalMetrics>>; seconds: number }[] = [];
    for (const seed of flags.seeds) {
      const run = flags.runsDir === undefined ? undefined : startRun(flags, seed, backend);
      const options: WordnetRunOptions = {
        ...flags,
        task,
        seed,
        batchSize: flags.batch,
        encoder: { dim: flags.dim, hidden: flags.hidden, buckets: flags.buckets },
        evaluate: flags.eval,
        monitor: run ? 'dev' : undefined,
        nonFinite: flags.skipNonfinite ? 'skip' : 'stop',
        suspects: `--lr ${flags.lr}${flags.model === 'text' ? ` or --table-lr ${flags.tableLr}` : ''} too high`,
        onEpoch: (e) => {
          out.line(
            `seed ${seed} epoch ${e.epoch}: loss ${e.meanLoss.toFixed(4)} (${e.seconds.toFixed(1)} s)${e.mining ? `; mined in ${e.mining.seconds.toFixed(1)} s, dropped ${JSON.stringify(e.mining.dropped)}, random fill ${e.mining.randomFill}, ${(100 * e.mining.nonPositiveShare).toFixed(1)}% never a training positive` : ''}${e.monitor ? `; dev ${formatMetrics(e.monitor)}` : ''}`,
          );
          run?.appendMetrics(epochMetrics(e));
        },
      };
      let result: ReturnType<typeof runWordnetRetrieval>;
      try {
        result = runWordnetRetrieval(options);
        run?.writeJson('final.json', {
          ...Object.fromEntries(flags.eval.flatMap((split) => METRICS.map((k) => [`${split}_${k}`, result.metrics[split]![k]]))),
          epochs: result.epochs.length,
          seconds: Number(result.seconds.toFixed(1)),
        });
      } finally {
        run?.release();
      }
      for (const split of flags.eval) out.line(`seed ${seed} ${split}: ${formatMetrics(result.metrics[split]!)}`);
      if (flags.out !== undefined && seed === flags.seeds[flags.seeds.length - 1]) {
        (result.encoder ?? result.adapter)!.save(flags.out);
        out.line(`saved ${flags.model === 'text' ? 'encoder' : 'adapter'} to ${flags.out}`);
      }
      result.encoder?.dispose();
      result.adapter?.dispose();
      runs.push({ seed, metrics: result.metrics, seconds: Number(result.seconds.toFixed(1)) });
    }
    const summary = Object.fromEntries(flags.eval.map((split) => [split, meanStd(runs.map((r) => r.metrics[split]!))]));
    if (runs.length > 1) for (const split of flags.eval) out.line(`${split} over seeds ${flags.seeds.join(',')}: ${formatMeanStd(summary[split])}`);
    out.json({ command: 'train-retrieval', negatives: flags.negatives, model: flags.model, seeds: flags.seeds, summary, runs });
  });
}

export function evalRetrievalCommand(): Command {
  return splitOptions(
    new Command('eval-retrieval')
      .description('evaluate a text encoder on the WordNet reverse dictionary: Recall@1/10/100, MRR@10, nDCG@10 against all documents')
      .option('--encoder <hashed|file>', '"hashed" (untrained) or a saved encoder', 'hashed')
      .option('--dim <n>', 'dimension of the untrained hashed encoder', (v) => positiveInt(v, '--dim'), 64)
      .option('--buckets <n>', 'hash buckets of the untrained hashed encoder', (v) => positiveInt(v, '--buckets'), 1 << 18)
      .option('--seed <n>', 'seed of the untrained hashed encoder', (v) => nonNegativeInt(v, '--seed'), 0)
      .option('--split <name>', 'dev | test', oneOf(['dev', 'test'] as const, '--split'), 'test'),
  ).action(async (flags: EvalFlags, cmd: Command) => {
    const out = commandOutput(flags.json);
    await startEngine(cmd.optsWithGlobals<GlobalOptions>());
    const task = reverseDictionary({ train: flags.train === 0 ? Infinity : flags.train, dev: flags.dev, test: flags.test });
    const encoder =
      flags.encoder === 'hashed' ? new HashedTextEncoder({ dim: flags.dim, buckets: flags.buckets, hidden: 0 }, new Rng(flags.seed)) : HashedTextEncoder.load(flags.encoder);
    const retriever = new TextRetriever(
      encoder,
      task.queries.map((q) => q.text),
      task.docs.map((d) => d.text),
    );
    const metrics = evaluateSplit(retriever, task, flags.split);
    retriever.dispose();
    encoder.dispose();
    out.line(`${flags.split} (${task.split[flags.split].length} queries, ${task.docs.length} documents): ${formatMetrics(metrics)}`);
    out.json({ command: 'eval-retrieval', encoder: flags.encoder, split: flags.split, metrics });
  });
}

/** The run directory of one seed (`docs/runs.md`), with its config.json written. */
function startRun(flags: TrainFlags, seed: number, backend: string): RunWriter {
  const name = runName(flags, seed);
  const run = RunWriter.create(flags.runsDir!, name, false);
  const settings = Object.fromEntries(Object.entries(flags).filter(([key]) => !['runsDir', 'name', 'seeds', 'json', 'out', 'skipNonfinite'].includes(key)));
  run.writeJson('config.json', {
    name,
    task: 'retrieval',
    seed,
    backend,
    versions: { hardneg: hardnegVersion(), tfjs: tf.version.tfjs, node: process.version },
    config: { dataset: 'wordnet-reverse-dictionary', ...settings, seed },
    created: new Date().toISOString(),
  });
  return run;
}

/** The run directory name of one seed: `<name>-seed<k>`. */
function runName(flags: TrainFlags, seed: number): string {
  return `${flags.name ?? `retrieval-${flags.model}-${flags.negatives}`}-seed${seed}`;
}

/** One metrics.jsonl line: loss, time, mining counts and the dev metrics (`dev_recall@10`, …). */
function epochMetrics(e: WordnetEpochReport): Metrics & { epoch: number } {
  const row: Metrics & { epoch: number } = { epoch: e.epoch, loss: e.meanLoss, seconds: e.seconds };
  if (e.skippedSteps !== undefined) row.skipped_steps = e.skippedSteps;
  if (e.mining) {
    row.mined_seconds = e.mining.seconds;
    row.random_fill = e.mining.randomFill;
    row.non_positive_share = e.mining.nonPositiveShare;
    for (const [reason, n] of Object.entries(e.mining.dropped)) row[`dropped_${reason}`] = n;
  }
  if (e.monitor) for (const k of METRICS) row[`dev_${k}`] = e.monitor[k];
  return row;
}

function formatMetrics(m: RetrievalMetrics): string {
  return METRICS.map((k) => `${k} ${m[k].toFixed(4)}`).join(', ');
}

/** Per metric: mean and sample standard deviation over runs. */
function meanStd(list: RetrievalMetrics[]): Record<string, { mean: number; std: number }> {
  return Object.fromEntries(
    METRICS.map((k) => {
      const xs = list.map((m) => m[k]);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const std = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
      return [k, { mean, std }];
    }),
  );
}

function formatMeanStd(m: Record<string, { mean: number; std: number }>): string {
  return METRICS.map((k) => `${k} ${m[k].mean.toFixed(4)} ± ${m[k].std.toFixed(4)}`).join(', ');
}

function seedList(value: string): number[] {
  const seeds = value.split(',').map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new InvalidArgumentError(`--seeds must be integers >= 0 separated by commas, got '${value}'`);
  return seeds;
}

function splitList(value: string): Split[] {
  const splits = value.split(',').map((s) => s.trim());
  if (splits.length === 0 || splits.some((s) => s !== 'dev' && s !== 'test')) throw new InvalidArgumentError(`--eval must be dev, test or dev,test, got '${value}'`);
  return splits as Split[];
}
