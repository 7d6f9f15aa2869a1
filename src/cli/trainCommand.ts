/** `hardneg train --config <file.yaml|json> [--set key=value …]`: one training run into `runs/<name>/`. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { applyOverrides, parseTrainConfig, type TrainConfig } from '../train/config.js';
import type { Metrics } from '../train/runWriter.js';
import { savedConfig, train } from '../train/train.js';
import { startEngine, type GlobalOptions } from './engineOption.js';
import { UsageError } from './errors.js';
import { nonNegativeInt, positiveInt } from './options.js';
import { commandOutput } from './output.js';
import { progressBar } from './progress.js';

/** Reads and validates a config file with overrides; errors name the file and the key. */
export function readConfig(path: string, overrides: string[] = []): TrainConfig {
  if (!existsSync(path)) throw new UsageError(`--config: no such file ${path}`);
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(readFileSync(path, 'utf8')) : parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null) throw new UsageError(`${path}: expected a mapping of settings`);
  return parseTrainConfig(applyOverrides(doc as Record<string, unknown>, overrides), path);
}

/** One line per epoch for the terminal. */
export function epochLine(name: string, epochs: number, m: Metrics & { epoch: number }): string {
  const extra = ['test_top1', 'proxy_acc', 'fn_share'].filter((k) => m[k] !== undefined).map((k) => `${k} ${m[k].toFixed(3)}`);
  const knn = m.knn_top1 === undefined ? '' : ` knn_top1 ${m.knn_top1.toFixed(4)}`;
  return `${name} epoch ${m.epoch}/${epochs}: loss ${m.loss.toFixed(4)}${knn} lr ${m.lr.toPrecision(3)} ${m.seconds.toFixed(1)}s${extra.length ? ' ' + extra.join(' ') : ''}`;
}

/** Runs a config with a progress bar and per-epoch lines; Ctrl-C checkpoints and stops. */
export async function runWithProgress(config: TrainConfig, runsDir: string, resume: boolean, log: (line: string) => void = console.error, invocation?: Record<string, unknown>) {
  let stop = false;
  const onSigint = () => {
    stop = true;
    log('stopping after this step (checkpoint is saved; continue with --resume) …');
  };
  process.once('SIGINT', onSigint);
  let bar: ReturnType<typeof progressBar> | undefined;
  try {
    return await train(config, {
      runsDir,
      resume,
      invocation,
      onNote: (line) => log(`note: ${line}`),
      hooks: {
        onStep: (epoch, step, steps, loss) => {
          bar ??= progressBar(steps, config.name, 'epoch {epoch} {bar} {value}/{total} loss {loss} | ETA {eta_formatted}');
          bar.update(step + 1, { epoch: epoch + 1, loss: loss.toFixed(3) });
        },
        onEpoch: (m) => {
          bar?.stop();
          bar = undefined;
          log(epochLine(config.name, config.epochs, m));
        },
        shouldStop: () => stop,
      },
    });
  } finally {
    bar?.stop();
    process.removeListener('SIGINT', onSigint);
  }
}

interface TrainFlags {
  config?: string;
  set: string[];
  name?: string;
  epochs?: number;
  seed?: number;
  runsDir: string;
  resume?: boolean | string;
  skipNonfinite?: boolean;
  json?: boolean;
}

/**
 * The config and runs directory of `hardneg train`: from `--config` and its overrides, or, with
 * `--resume <run-dir>`, the config saved in that run (a `--config` given too must equal it).
 */
function resolveRun(flags: TrainFlags): { config: TrainConfig; runsDir: string } {
  const overrides = [...flags.set];
  if (flags.name) overrides.push(`name=${JSON.stringify(flags.name)}`);
  if (flags.epochs) overrides.push(`epochs=${flags.epochs}`);
  if (flags.seed !== undefined) overrides.push(`seed=${flags.seed}`);
  if (flags.skipNonfinite) overrides.push('nonFinite="skip"');
  if (typeof flags.resume !== 'string') {
    if (flags.config === undefined) throw new UsageError("train: --config <file> is required (or --resume <run-dir> to continue a run)");
    return { config: readConfig(flags.config, overrides), runsDir: flags.runsDir };
  }
  const runDir = flags.resume.replace(/[\\/]+$/, '');
  if (!existsSync(join(runDir, 'config.json'))) throw new UsageError(`--resume: ${runDir} holds no run to resume (no config.json)`);
  const saved = savedConfig(runDir);
  if (basename(runDir) !== saved.name) throw new UsageError(`--resume: ${runDir} holds run "${saved.name}"; its directory must keep the run's name`);
  const config = flags.config === undefined ? { ...saved, nonFinite: flags.skipNonfinite ? ('skip' as const) : saved.nonFinite } : readConfig(flags.config, overrides);
  return { config, runsDir: dirname(runDir) };
}

export function trainCommand(): Command {
  return new Command('train')
    .description('train a model from a config file (see configs/); writes runs/<name>/')
    .option('--config <file>', 'YAML or JSON config (required unless --resume <run-dir>)')
    .option('--set <key=value...>', 'override a setting, e.g. --set epochs=5 moco.mochi.N=128', [])
    .option('--name <name>', 'run name (default: the config’s name)')
    .option('--epochs <n>', 'override the number of epochs', (v) => positiveInt(v, '--epochs'))
    .option('--seed <n>', 'override the seed', (v) => nonNegativeInt(v, '--seed'))
    .option('--runs-dir <dir>', 'where run directories go', 'runs')
    .option('--resume [run-dir]', 'continue a run from its last checkpoint: runs/<name> of --config, or the run directory given (its saved config, no other flags needed)')
    .option('--skip-nonfinite', 'skip a step whose loss or gradients are NaN/Inf instead of stopping the run (config key nonFinite: skip)')
    .option('--json', 'print only one JSON line of final metrics on stdout (the rest goes to stderr)')
    .action(async (flags: TrainFlags, cmd: Command) => {
      const { config, runsDir } = resolveRun(flags);
      const out = commandOutput(flags.json);
      await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const invocation = { config: flags.config ?? null, overrides: flags.set, name: flags.name ?? null, epochs: flags.epochs ?? null, seed: flags.seed ?? null, runsDir };
      const result = await runWithProgress(config, runsDir, flags.resume !== undefined, console.error, invocation);
      if (result.interrupted) {
        console.error(`interrupted: resume with hardneg train --resume ${result.run.path}`);
        process.exitCode = 130;
        return;
      }
      out.line(`${config.name}: ${Object.entries(result.final).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`).join(', ')} → ${result.run.path}`);
      out.json({ run: result.run.path, ...result.final });
    });
}
