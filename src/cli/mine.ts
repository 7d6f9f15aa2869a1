/** `hardneg mine`: hard negatives for (query, positive) pairs from a corpus, filtered, as sentence-transformers JSONL. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { Rng } from '../engine/random.js';
import { mine, summaryPath, type CorpusMineOptions, type MineSummary, type TextEmbedder } from '../mining/mine.js';
import { HashedTextEncoder } from '../models/textEncoder.js';
import { startEngine, type GlobalOptions } from './engineOption.js';
import { finiteNumber, flagErrors, nonNegativeInt, numberIn, oneOf, positiveInt } from './options.js';
import { commandOutput } from './output.js';
import { progressBar, type Progress } from './progress.js';

interface MineFlags {
  queries: string;
  corpus: string;
  qrels: string;
  output: string;
  encoder: string;
  dim: number;
  buckets: number;
  index: 'exact' | 'hnsw';
  candidates?: number;
  negatives: number;
  rangeMin?: number;
  rangeMax?: number;
  maxScore?: number;
  margin?: number;
  relativeMargin?: number;
  sampling: 'hardest' | 'random';
  labels?: boolean;
  shardSize: number;
  workDir?: string;
  seed: number;
  ids?: boolean;
  keepShards?: boolean;
  json?: boolean;
}

export function mineCommand(): Command {
  return new Command('mine')
    .description('mine hard negatives from a corpus for (query, positive) pairs; write anchor/positive/negative_1..n JSONL and a summary')
    .requiredOption('--queries <file>', 'queries: JSONL {"id","text"} or {"id","vector"}, or .npy')
    .requiredOption('--corpus <file>', 'corpus: JSONL {"id","text"} or {"id","vector"} (optional "label"), or .npy (ids are row numbers)')
    .requiredOption('--qrels <file>', 'positives: BEIR TSV (query-id, corpus-id, score), TREC, or JSONL {"query_id","corpus_id","score"}')
    .requiredOption('-o, --output <file>', 'output JSONL (the summary goes to <name>.summary.json)')
    .option('--encoder <hashed|file>', 'for texts: "hashed" (an untrained hashed n-gram encoder) or a saved encoder checkpoint', 'hashed')
    .option('--dim <n>', 'dimension of the untrained hashed encoder', (v) => positiveInt(v, '--dim'), 64)
    .option('--buckets <n>', 'hash buckets of the untrained hashed encoder', (v) => positiveInt(v, '--buckets'), 1 << 18)
    .option('--index <kind>', 'exact | hnsw', oneOf(['exact', 'hnsw'] as const, '--index'), 'exact')
    .option('--candidates <n>', 'candidates searched per query (default: range-max, else 100, plus the most positives of a query)', (v) => positiveInt(v, '--candidates'))
    .option('--negatives <n>', 'negatives per output row', (v) => positiveInt(v, '--negatives'), 3)
    .option('--range-min <n>', 'skip the n hardest candidates', (v) => nonNegativeInt(v, '--range-min'))
    .option('--range-max <n>', 'consider candidates ranked below n only', (v) => positiveInt(v, '--range-max'))
    .option('--max-score <s>', 'drop candidates scoring >= s', (v) => finiteNumber(v, '--max-score'))
    .option('--margin <m>', 'drop candidates scoring >= positive − m (m >= 0)', numberIn('--margin', 0, Number.MAX_VALUE))
    .option('--relative-margin <r>', 'drop candidates scoring >= positive × r, r in (0, 1] (NV-Retriever TopK-PercPos: 0.95)', numberIn('--relative-margin', 0, 1, ['min']))
    .option('--sampling <how>', 'hardest | random (from those kept)', oneOf(['hardest', 'random'] as const, '--sampling'), 'hardest')
    .option('--labels', 'drop candidates with the query\'s "label"')
    .option('--shard-size <n>', 'corpus rows per shard (finished shards are reused by a rerun after an interruption)', (v) => positiveInt(v, '--shard-size'), 100_000)
    .option('--work-dir <dir>', 'where finished shards are kept (default <output>.shards)')
    .option('--seed <n>', 'seed of random sampling and of the untrained encoder', (v) => nonNegativeInt(v, '--seed'), 0)
    .option('--ids', 'write ids instead of texts')
    .option('--keep-shards', 'keep the finished shards after success (a rerun with other filters then skips the search)')
    .option('--json', 'print only the summary, as one JSON line, on stdout (the rest goes to stderr)')
    .action(async (flags: MineFlags, cmd: Command) => {
      checkMineFlags(flags);
      const out = commandOutput(flags.json);
      await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const encoder = textEmbedder(flags);
      let bar: Progress | undefined;
      let phase = '';
      const progress: CorpusMineOptions['progress'] = (p, done, total) => {
        if (p !== phase) {
          bar?.stop();
          bar = progressBar(total, p);
          phase = p;
        }
        bar!.update(done);
      };
      let summary: MineSummary;
      try {
        ({ summary } = mine({ ...flags, encoder, progress }));
      } finally {
        bar?.stop();
      }
      const dropped = Object.entries(summary.dropped).map(([k, v]) => `${k} ${v}`).join(', ');
      out.line(
        `mined ${summary.queriesWithPositives} queries against ${summary.corpus} corpus rows (${summary.index}, ${summary.shards} shard(s), ${summary.shardsReused} reused) in ${summary.seconds.total} s`,
      );
      out.line(`candidates ${summary.candidatesSeen}; dropped: ${dropped}; kept ${summary.keptByFilters}, not sampled ${summary.notSampled}`);
      out.line(`wrote ${summary.rowsWritten} rows with ${flags.negatives} negatives each to ${flags.output} (${summary.queriesWithTooFew} queries had too few); summary: ${summaryPath(flags.output)}`);
      out.json(summary);
    });
}

/** Rules between mine's options, all reported at once before anything is read or written. */
function checkMineFlags(f: MineFlags): void {
  const { rangeMin = 0, rangeMax, candidates } = f;
  const searched = candidates ?? rangeMax ?? 100;
  flagErrors([
    [rangeMax !== undefined && rangeMin >= rangeMax, `--range-min must be < --range-max (${rangeMax}), got ${rangeMin}`],
    [candidates !== undefined && rangeMax !== undefined && rangeMax > candidates, `--range-max must be <= --candidates (${candidates}), got ${rangeMax}`],
    [rangeMax === undefined && rangeMin >= searched, `--range-min must be < the candidates searched (${searched}), got ${rangeMin}`],
    [f.negatives > Math.min(searched, rangeMax ?? searched) - rangeMin, `--negatives must be <= the candidates in range (${Math.max(0, Math.min(searched, rangeMax ?? searched) - rangeMin)}), got ${f.negatives}`],
  ]);
}

/** The encoder for text inputs: a saved checkpoint, or an untrained hashed encoder. */
function textEmbedder(flags: MineFlags): TextEmbedder {
  if (flags.encoder === 'hashed') {
    const config = { dim: flags.dim, buckets: flags.buckets, hidden: 0 };
    const lazy = lazyEncoder(() => new HashedTextEncoder(config, new Rng(flags.seed)));
    return { dim: flags.dim, encode: (texts) => lazy().encode(texts), fingerprint: { encoder: 'hashed', ...config, seed: flags.seed } };
  }
  if (!existsSync(flags.encoder)) throw new Error(`--encoder: no such file '${flags.encoder}' (give "hashed" or a saved encoder)`);
  const encoder = HashedTextEncoder.load(flags.encoder);
  const { mtimeMs, size } = statSync(flags.encoder);
  return { dim: encoder.config.dim, encode: (texts) => encoder.encode(texts), fingerprint: { encoder: resolve(flags.encoder), mtimeMs, size } };
}

/** Builds the encoder on first use (vector inputs never need its 2^18-row table). */
function lazyEncoder(make: () => HashedTextEncoder): () => HashedTextEncoder {
  let encoder: HashedTextEncoder | undefined;
  return () => (encoder ??= make());
}
