/** `hardneg bench <name>`: performance benchmarks (see `bench/` for the PyTorch side). */
import { Command } from 'commander';
import { benchMine, type MineBenchOptions } from './benchMine.js';
import { benchMocoStep } from './benchMocoStep.js';
import { benchSupervisedCommand } from './benchSupervised.js';
import { flagErrors, intTriple, nonNegativeInt, numberIn, oneOf, positiveInt } from './options.js';
import { commandOutput } from './output.js';
import { progressBar } from './progress.js';
import { startEngine, type GlobalOptions } from './engineOption.js';

interface MineFlags extends MineBenchOptions {
  json?: boolean;
}

interface MocoStepFlags {
  batch: number;
  queue: number;
  dim: number;
  steps: number;
  warmup: number;
  seed: number;
  mochi?: [number, number, number];
  json?: boolean;
}

export function benchCommand(): Command {
  const bench = new Command('bench').description('time hardneg against its PyTorch reference (npm run bench:compare runs both)');
  bench
    .command('moco-step')
    .description('one MoCo training step: MLP 784→512→dim forward/backward, key encoder, EMA, queue logits, CE, SGD, enqueue')
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
      const engine = await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const bar = progressBar(flags.warmup + flags.steps, 'moco-step');
      const result = benchMocoStep(flags, (done) => bar.update(done));
      bar.stop();
      const summary = {
        bench: 'moco-step',
        backend: engine.backend,
        threads: engine.threads,
        ms_per_step: Number(result.msPerStep.toFixed(2)),
        steps: flags.steps,
        batch: flags.batch,
        queue: flags.queue,
        dim: flags.dim,
        ...(flags.mochi ? { mochi: flags.mochi.join(',') } : {}),
      };
      out.line(
        `moco-step${flags.mochi ? ` + MoCHi(${flags.mochi.join(',')})` : ''}: ${summary.ms_per_step} ms/step (median of ${flags.steps}; B=${flags.batch} K=${flags.queue} D=${flags.dim}; ${engine.backend}, ${engine.threads} thread${engine.threads === 1 ? '' : 's'})`,
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
