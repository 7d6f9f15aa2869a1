/**
 * `hardneg demo`: the main job on the embedded data. Trains MoCo and MoCHi on MNIST with the same
 * seed and budget (configs/mnist-moco.yaml and configs/mnist-mochi.yaml), evaluates weighted kNN
 * top-1 on the test split, and prints a table beside raw pixels. Runs go to runs/demo-moco and
 * runs/demo-mochi (replaced on each demo).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Command } from 'commander';
import { knnClassify } from '../eval/knn.js';
import type { TrainConfig } from '../train/config.js';
import { loadTrainTest } from '../train/loadData.js';
import { startEngine, type GlobalOptions } from './engineOption.js';
import { positiveInt } from './options.js';
import { readConfig, runWithProgress } from './trainCommand.js';

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
    .description('MoCo vs MoCHi on the embedded MNIST digits, kNN top-1 against raw pixels (~5 min; --quick ~1 min)')
    .option('--quick', 'a short run (fewer images and epochs), for a smoke test')
    .option('--epochs <n>', 'epochs for both runs (default: the configs’)', (v) => positiveInt(v, '--epochs'))
    .option('--runs-dir <dir>', 'where the two run directories go', 'runs')
    .option('--json', 'end with one JSON line of results')
    .action(async (flags: { quick?: boolean; epochs?: number; runsDir: string; json?: boolean }, cmd: Command) => {
      const engine = await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const t0 = performance.now();
      const overrides = flags.quick ? ['data.limit=3000', 'epochs=4'] : [];
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
      console.log(`\nMNIST ${flags.quick ? '(quick) ' : ''}weighted kNN (k=200, T=0.1) on the 2,000 test digits`);
      console.log(`${'features'.padEnd(12)} ${'kNN top-1'.padStart(10)}`);
      console.log(row('raw pixels', raw, '784-d pixels, no training'));
      console.log(row('MoCo', results.moco.knn_top1, `${flags.runsDir}/demo-moco`));
      console.log(row('MoCHi', results.mochi.knn_top1, `${flags.runsDir}/demo-mochi (proxy_acc ${results.mochi.proxy_acc?.toFixed(3)} vs MoCo ${results.moco.proxy_acc?.toFixed(3)})`));
      console.log(`${seconds.toFixed(0)} s on ${engine.backend}; see each run's metrics.jsonl, or hardneg report ${flags.runsDir}/demo-moco ${flags.runsDir}/demo-mochi`);
      if (flags.json) {
        console.log(JSON.stringify({
          demo: 'mnist', raw: { knn_top1: raw }, moco: { knn_top1: results.moco.knn_top1 }, mochi: { knn_top1: results.mochi.knn_top1 },
          seconds: Number(seconds.toFixed(1)), backend: engine.backend,
        }));
      }
    });
}
