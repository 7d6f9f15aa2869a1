/** `hardneg bench <name>`: performance benchmarks (see `bench/` for the PyTorch side). */
import { Command } from 'commander';
import { benchMocoStep } from './benchMocoStep.js';
import { UsageError } from './errors.js';
import { intTriple, nonNegativeInt, positiveInt } from './options.js';
import { progressBar } from './progress.js';
import { startEngine, type GlobalOptions } from './engineOption.js';

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
    .option('--json', 'end with one JSON line')
    .action(async (flags: MocoStepFlags, cmd: Command) => {
      if (flags.mochi !== undefined && flags.mochi[0] > flags.queue) {
        throw new UsageError(`--mochi: N (${flags.mochi[0]}) must be <= --queue (${flags.queue})`);
      }
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
      console.log(
        `moco-step${flags.mochi ? ` + MoCHi(${flags.mochi.join(',')})` : ''}: ${summary.ms_per_step} ms/step (median of ${flags.steps}; B=${flags.batch} K=${flags.queue} D=${flags.dim}; ${engine.backend}, ${engine.threads} thread${engine.threads === 1 ? '' : 's'})`,
      );
      if (flags.json) console.log(JSON.stringify(summary));
    });
  return bench;
}
