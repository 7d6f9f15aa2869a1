/**
 * `hardneg demo`: the main job on the embedded data. Trains MoCo and MoCHi on MNIST with the same
 * seed and budget (configs/mnist-moco.yaml and configs/mnist-mochi.yaml), evaluates weighted kNN
 * top-1 on the test split, and prints a table beside raw pixels. Runs go to runs/demo-moco and
 * runs/demo-mochi (replaced on each demo). `--quick` trains the same configs for QUICK_EPOCHS
 * epochs on the same 8,000 digits (the cosine schedule is compressed, not cut): learned features
 * still beat raw pixels and MoCHi's proxy task is still harder than MoCo's, without being solved 0%.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '../engine/tf.js';
import { Command } from 'commander';
import { knnClassify } from '../eval/knn.js';
import type { TrainConfig } from '../train/config.js';
import { loadTrainTest } from '../train/loadData.js';
import { startEngine, type GlobalOptions } from './engineOption.js';
import { flagErrors, positiveInt } from './options.js';
import { commandOutput } from './output.js';
import { readConfig, runWithProgress } from './trainCommand.js';

/** Epochs of `--quick` (the full demo: the configs' 20); fewer images would shrink the kNN bank and the raw-pixel baseline with it. */
export const QUICK_EPOCHS = 8;

const configPath = (name: string) => fileURLToPath(new URL(`../../configs/${name}`, import.meta.url));

/** kNN top-1 of raw pixels (k = 200, T = 0.1, cosine) on the same split: the baseline a learned feature must beat. */
export async function rawPixelKnn(data: TrainConfig['data'], seed: number): Promise<number> {
  const { train, test } = await loadTrainTest(data, seed);
  const [n, h, w, c] = train.shape;
  return tf.tidy(() => {
    const bank = tf.tensor2d(train.images, [n, h * w * c]);
    const queries = tf.tensor2d(test.images, [test.labels.length, h * w * c]);
    return knnClassify(bank, train.labels, queries, test.labels).top1;
  });
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('MoCo vs MoCHi on the embedded MNIST digits, kNN top-1 against raw pixels (about 1 min on 2 cores; --quick about 25 s)')
    .option('--quick', `the same runs in ${QUICK_EPOCHS} epochs instead of 20`)
    .option('--epochs <n>', 'epochs for both runs, >= 2 (default: the configs’ 20)', (v) => positiveInt(v, '--epochs'))
    .option('--runs-dir <dir>', 'where the two run directories go', 'runs')
    .option('--json', 'print only one JSON line of results on stdout (the rest goes to stderr)')
    .action(async (flags: { quick?: boolean; epochs?: number; runsDir: string; json?: boolean }, cmd: Command) => {
      flagErrors([[flags.epochs !== undefined && flags.epochs < 2, `--epochs must be >= 2 (MoCHi starts mixing in the second epoch), got ${flags.epochs}`]]);
      const out = commandOutput(flags.json);
      const engine = await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const t0 = performance.now();
      const overrides = flags.quick ? [`epochs=${QUICK_EPOCHS}`] : [];
      if (flags.epochs) overrides.push(`epochs=${flags.epochs}`);
      const results: Record<string, Record<string, number>> = {};
      let data: TrainConfig['data'] = { dataset: 'mnist' };
      for (const method of ['moco', 'mochi']) {
        const config = readConfig(configPath(`mnist-${method}.yaml`), [...overrides, `name="demo-${method}"`]);
        data = config.data;
        rmSync(join(flags.runsDir, config.name), { recursive: true, force: true });
        results[method] = (await runWithProgress(config, flags.runsDir, false)).final;
      }
      const raw = await rawPixelKnn(data, 0);
      const seconds = (performance.now() - t0) / 1000;
      const row = (name: string, top1: number, note: string) => `${name.padEnd(12)} ${top1.toFixed(4).padStart(10)}   ${note}`;
      out.line(`\nMNIST ${flags.quick ? '(quick) ' : ''}weighted kNN (k=200, T=0.1) on the 2,000 test digits`);
      out.line(`${'features'.padEnd(12)} ${'kNN top-1'.padStart(10)}`);
      out.line(row('raw pixels', raw, '784-d pixels, no training'));
      out.line(row('MoCo', results.moco.knn_top1, `${flags.runsDir}/demo-moco`));
      out.line(row('MoCHi', results.mochi.knn_top1, `${flags.runsDir}/demo-mochi (proxy_acc ${results.mochi.proxy_acc?.toFixed(3)} vs MoCo ${results.moco.proxy_acc?.toFixed(3)})`));
      out.line(`${seconds.toFixed(0)} s on ${engine.backend}; see each run's metrics.jsonl, or hardneg report ${flags.runsDir}/demo-moco ${flags.runsDir}/demo-mochi`);
      out.json({
        demo: 'mnist', quick: flags.quick ?? false,
        raw: { knn_top1: raw },
        moco: { knn_top1: results.moco.knn_top1, proxy_acc: results.moco.proxy_acc },
        mochi: { knn_top1: results.mochi.knn_top1, proxy_acc: results.mochi.proxy_acc },
        seconds: Number(seconds.toFixed(1)), backend: engine.backend,
      });
    });
}
