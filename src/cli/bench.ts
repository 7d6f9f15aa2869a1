/** `hardneg bench <name>`: performance benchmarks (see `bench/` for the PyTorch side). */
import { Command } from 'commander';
import { benchMine, type MineBenchOptions } from './benchMine.js';
import { BENCH_BN_GROUPS, BENCH_WIDTHS, benchMocoStep, type BenchEncoderKind, type MocoBenchOptions } from './benchMocoStep.js';
import { benchSupervisedCommand } from './benchSupervised.js';
import { UsageError } from './errors.js';
import { flagErrors, intTriple, nonNegativeInt, numberIn, oneOf, positiveInt, positiveIntList } from './options.js';
import { commandOutput } from './output.js';
import { progressBar } from './progress.js';
import { startEngine, type GlobalOptions } from './engineOption.js';

interface MineFlags extends MineBenchOptions {
  json?: boolean;
}

interface MocoStepFlags {
  encoder: BenchEncoderKind;
  widths?: number[];
  blocks?: number;
  size: number;
  channels: number;
  batch: number;
  queue: number;
  dim: number;
  steps: number;
  warmup: number;
  seed: number;
  mochi?: [number, number, number];
  json?: boolean;
}

/** The bench options from the flags, or a one-line error naming the flag that does not fit the encoder. */
function mocoBenchOptions(flags: MocoStepFlags): MocoBenchOptions {
  const { encoder, size, channels } = flags;
  const widths = flags.widths ?? BENCH_WIDTHS[encoder];
  const blocks = flags.blocks ?? 0;
  if (encoder === 'mlp' && blocks > 0) throw new UsageError(`--blocks: residual blocks need --encoder cnn, got --encoder mlp --blocks ${blocks}`);
  if (encoder === 'cnn') {
    if (size / 2 ** (widths.length - 1) < 1) {
      throw new UsageError(`--size: ${widths.length} stages (--widths ${widths.join(',')}) halve a ${size}×${size} image below 1 pixel; use --size >= ${2 ** (widths.length - 1)}`);
    }
    if (flags.batch % BENCH_BN_GROUPS !== 0) {
      throw new UsageError(`--batch: the CNN's shuffled BatchNorm splits the batch into ${BENCH_BN_GROUPS} sub-batches, so --batch must be a multiple of ${BENCH_BN_GROUPS}, got ${flags.batch}`);
    }
  }
  return { ...flags, widths, blocks, size, channels };
}

export function benchCommand(): Command {
  const bench = new Command('bench').description('time hardneg against its PyTorch reference (npm run bench:compare runs both)');
  bench
    .command('moco-step')
    .description('one MoCo training step (query forward/backward, key forward with shuffled BN, EMA, queue logits, CE, SGD, enqueue) with an MLP or a CNN encoder')
    .option('--encoder <kind>', 'mlp | cnn', oneOf(['mlp', 'cnn'] as const, '--encoder'), 'mlp')
    .option('--widths <list>', 'hidden widths (mlp, default 512) or stage widths (cnn, default 32,64,128)', (v) => positiveIntList(v, '--widths'))
    .option('--blocks <n>', 'residual blocks per stage (cnn)', (v) => nonNegativeInt(v, '--blocks'))
    .option('--size <n>', 'images are size × size × channels', (v) => positiveInt(v, '--size'), 28)
    .option('--channels <n>', 'image channels', (v) => positiveInt(v, '--channels'), 1)
    .option('--batch <n>', 'batch size B', (v) => positiveInt(v, '--batch'), 256)
    .option('--queue <n>', 'queue size K', (v) => positiveInt(v, '--queue'), 4096)
    .option('--dim <n>', 'feature dimension D', (v) => positiveInt(v, '--dim'), 128)
    .option('--steps <n>', 'timed steps', (v) => positiveInt(v, '--steps'), 20)
    .option('--warmup <n>', 'untimed steps first', (v) => nonNegativeInt(v, '--warmup'), 3)
    .option('--seed <n>', 'seed', (v) => nonNegativeInt(v, '--seed'), 0)
    .option('--mochi <N,s,sPrime>', "add MoCHi mixing with N hardest, s and s' synthetic negatives", intTriple)
    .option('--json', 'print only one JSON line on stdout (the rest goes to stderr)')
    .action(async (flags: MocoStepFlags, cmd: Command) => {
      const [N, s] = flags.mochi ?? [2, 0];
      flagErrors([
        [flags.queue < flags.batch, `--queue must be >= --batch (${flags.batch}): each step enqueues a whole batch, got ${flags.queue}`],
        [N > flags.queue, `--mochi: N must be <= --queue (${flags.queue}), got ${N}`],
        [s > 0 && N < 2, `--mochi: N must be >= 2 when s > 0 (s mixes two distinct hard negatives), got ${N}`],
      ]);
      const out = commandOutput(flags.json);
      const options = mocoBenchOptions(flags);
      const engine = await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const bar = progressBar(options.warmup + options.steps, 'moco-step');
      const result = benchMocoStep(options, (done) => bar.update(done));
      bar.stop();
      const { encoder, widths, blocks, size, channels } = options;
      const summary = {
        bench: 'moco-step',
        backend: engine.backend,
        threads: engine.threads,
        ms_per_step: Number(result.msPerStep.toFixed(2)),
        steps: options.steps,
        encoder,
        widths,
        ...(encoder === 'cnn' ? { blocks } : {}),
        size,
        channels,
        batch: options.batch,
        queue: options.queue,
        dim: options.dim,
        ...(options.mochi ? { mochi: options.mochi.join(',') } : {}),
      };
      const shape = `${encoder} [${widths.join(',')}]${encoder === 'cnn' ? ` blocks=${blocks}` : ''} on ${size}×${size}×${channels}`;
      out.line(
        `moco-step${options.mochi ? ` + MoCHi(${options.mochi.join(',')})` : ''}: ${summary.ms_per_step} ms/step (median of ${options.steps}; ${shape}; B=${options.batch} K=${options.queue} D=${options.dim}; ${engine.backend}, ${engine.threads} thread${engine.threads === 1 ? '' : 's'})`,
      );
      out.json(summary);
    });
  bench
    .command('mine')
    .description('hardneg mine on seeded clustered vectors (NPY), end to end; recall of its top-k against brute force')
    .option('--corpus <n>', 'corpus vectors', (v) => positiveInt(v, '--corpus'), 100_000)
    .option('--queries <n>', 'queries', (v) => positiveInt(v, '--queries'), 1000)
    .option('--dim <n>', 'dimension', (v) => positiveInt(v, '--dim'), 256)
    .option('--k <n>', 'candidates per query', (v) => positiveInt(v, '--k'), 50)
    .option('--index <kind>', 'exact | hnsw', oneOf(['exact', 'hnsw'] as const, '--index'), 'exact')
    .option('--centres <n>', 'cluster centres', (v) => positiveInt(v, '--centres'), 1000)
    .option('--noise <s>', 'noise per coordinate around a centre (centres are N(0, 1)), >= 0', numberIn('--noise', 0, Number.MAX_VALUE), 0.5)
    .option('--seed <n>', 'seed', (v) => nonNegativeInt(v, '--seed'), 0)
    .option('--json', 'print only one JSON line on stdout (the rest goes to stderr)')
    .action(async (flags: MineFlags, cmd: Command) => {
      flagErrors([
        [flags.queries > flags.corpus, `--queries must be <= --corpus (${flags.corpus}): each query copies a corpus vector, got ${flags.queries}`],
        [flags.k > flags.corpus, `--k must be <= --corpus (${flags.corpus}), got ${flags.k}`],
      ]);
      const out = commandOutput(flags.json);
      const engine = await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const r = benchMine(flags);
      const summary = {
        bench: 'mine',
        seconds: Number(r.seconds.toFixed(3)),
        recall_vs_bruteforce: Number(r.recall.toFixed(5)),
        index: flags.index,
        corpus: flags.corpus,
        queries: flags.queries,
        dim: flags.dim,
        k: flags.k,
        bruteforce_seconds: Number(r.bruteForceSeconds.toFixed(3)),
        backend: engine.backend,
      };
      out.line(
        `mine (${flags.index}): ${summary.seconds} s for ${flags.queries} queries × ${flags.corpus} vectors of ${flags.dim}, k=${flags.k}; recall vs brute force ${summary.recall_vs_bruteforce} (usearch exactSearch: ${summary.bruteforce_seconds} s)`,
      );
      out.json(summary);
    });
  bench.addCommand(benchSupervisedCommand().exitOverride());
  return bench;
}
