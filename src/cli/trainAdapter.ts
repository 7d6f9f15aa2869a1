/**
 * `hardneg train-adapter`: improve embeddings you already have without retraining their model. A
 * linear or residual adapter on the query side is trained on (query, positive) pairs with hard
 * negatives mined from the corpus, and held-out queries are scored before and after.
 */
import { Command } from 'commander';
import type { RetrievalMetrics } from '../eval/retrieval.js';
import { readQrels } from '../data/qrels.js';
import { readVectorSet, trainVectorAdapter } from '../retrieval/vectorAdapter.js';
import { startEngine, type GlobalOptions } from './engineOption.js';
import { flagErrors, learningRate, MAX_LR, nonNegativeInt, numberIn, oneOf, positiveInt } from './options.js';
import { commandOutput } from './output.js';

interface Flags {
  queries: string;
  corpus: string;
  qrels: string;
  output: string;
  kind: 'linear' | 'residual';
  negatives: 'in-batch' | 'mined' | 'mined-filtered';
  negativePool: 'train' | 'corpus';
  holdout: number;
  epochs: number;
  batch: number;
  hardNegatives: number;
  candidates: number;
  relativeMargin: number;
  lr: number;
  seed: number;
  skipNonfinite?: boolean;
  json?: boolean;
}

const METRICS = ['recall@1', 'recall@10', 'recall@100', 'mrr@10', 'ndcg@10'];

export function trainAdapterCommand(): Command {
  return new Command('train-adapter')
    .description('train a query-side adapter over your own embeddings (JSONL or NPY) with mined hard negatives; report held-out Recall/MRR/nDCG before and after')
    .requiredOption('--queries <file>', 'query vectors: JSONL {"id","vector"} or .npy (ids are row numbers)')
    .requiredOption('--corpus <file>', 'corpus vectors: JSONL {"id","vector"} or .npy')
    .requiredOption('--qrels <file>', 'positives: BEIR TSV (query-id, corpus-id, score), TREC, or JSONL {"query_id","corpus_id","score"}')
    .requiredOption('-o, --output <file>', 'where to save the adapter: a .safetensors file (Adapter.load, hardneg embed/export, PyTorch)')
    .option('--kind <kind>', 'linear | residual', oneOf(['linear', 'residual'] as const, '--kind'), 'linear')
    .option('--negatives <source>', 'in-batch | mined | mined-filtered', oneOf(['in-batch', 'mined', 'mined-filtered'] as const, '--negatives'), 'mined-filtered')
    .option('--negative-pool <docs>', 'mine from the training queries\' positives (train) or from the whole corpus (corpus)', oneOf(['train', 'corpus'] as const, '--negative-pool'), 'train')
    .option('--holdout <share>', 'share of the queries held out for evaluation, in (0, 1)', numberIn('--holdout', 0, 1, ['min', 'max']), 0.2)
    .option('--epochs <n>', 'epochs', (v) => positiveInt(v, '--epochs'), 5)
    .option('--batch <n>', 'batch size', (v) => positiveInt(v, '--batch'), 128)
    .option('--hard-negatives <n>', 'mined negatives per query', (v) => positiveInt(v, '--hard-negatives'), 3)
    .option('--candidates <n>', 'candidates searched per query when mining', (v) => positiveInt(v, '--candidates'), 50)
    .option('--relative-margin <r>', 'mined-filtered: keep candidates scoring below r × the positive, r in (0, 1]', numberIn('--relative-margin', 0, 1, ['min']), 0.95)
    .option('--lr <x>', `Adam learning rate, in (0, ${MAX_LR}]`, learningRate('--lr'), 1e-3)
    .option('--seed <n>', 'seed of the split and the training', (v) => nonNegativeInt(v, '--seed'), 0)
    .option('--skip-nonfinite', 'skip a step whose loss or gradients are NaN/Inf instead of stopping')
    .option('--json', 'print only one JSON line on stdout (the rest goes to stderr)')
    .action(async (flags: Flags, cmd: Command) => {
      flagErrors([[flags.hardNegatives > flags.candidates, `--hard-negatives must be <= --candidates (${flags.candidates}), got ${flags.hardNegatives}`]]);
      const out = commandOutput(flags.json);
      await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const queries = readVectorSet(flags.queries);
      const corpus = readVectorSet(flags.corpus);
      const result = trainVectorAdapter(queries, corpus, readQrels(flags.qrels), flags.qrels, {
        ...flags,
        adapter: { kind: flags.kind },
        batchSize: flags.batch,
        nonFinite: flags.skipNonfinite ? 'skip' : 'stop',
        suspects: `--lr ${flags.lr} too high`,
        onEpoch: (e) => out.line(`epoch ${e.epoch}: loss ${e.meanLoss.toFixed(4)} (${e.seconds.toFixed(1)} s)${e.mining ? `; mined in ${e.mining.seconds.toFixed(1)} s` : ''}`),
      });
      result.adapter.save(flags.output);
      result.adapter.dispose();
      out.line(`held out ${result.heldOutQueries} queries (trained on ${result.trainingPairs} pairs), ranked against ${corpus.ids.length} documents:`);
      out.line(`raw vectors  ${format(result.raw)}`);
      out.line(`with adapter ${format(result.adapted)}`);
      out.line(`saved the adapter to ${flags.output}`);
      out.json({ command: 'train-adapter', negatives: flags.negatives, kind: flags.kind, raw: result.raw, adapted: result.adapted, held_out: result.heldOutQueries });
    });
}

function format(m: RetrievalMetrics): string {
  return METRICS.map((k) => `${k} ${m[k].toFixed(4)}`).join(', ');
}
