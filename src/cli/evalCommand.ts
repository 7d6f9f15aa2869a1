/**
 * `hardneg eval --run runs/<name>`: evaluates a run's last checkpoint on its test split — weighted
 * kNN top-1/top-5, linear probe top-1, alignment (two augmented views of each test image) and
 * uniformity of the backbone features — prints them and writes `runs/<name>/eval.json`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../engine/tf.js';
import { Command } from 'commander';
import { augmentConfig, type AugmentOverrides } from '../data/augment/config.js';
import { knnClassify } from '../eval/knn.js';
import { linearProbe } from '../eval/linearProbe.js';
import { backboneOf, BACKBONE_NAME } from '../models/projectionHead.js';
import { loadModel } from '../train/savedModel.js';
import { parseTrainConfig } from '../train/config.js';
import { embeddingGeometry } from '../train/embeddingGeometry.js';
import { datasetFeatures } from '../train/features.js';
import { loadTrainTest } from '../train/loadData.js';
import { RunWriter } from '../train/runWriter.js';
import { startEngine, type GlobalOptions } from './engineOption.js';
import { UsageError } from './errors.js';
import { commandOutput } from './output.js';

export function evalCommand(): Command {
  return new Command('eval')
    .description("evaluate a run's checkpoint: kNN, linear probe, alignment/uniformity (writes runs/<name>/eval.json)")
    .requiredOption('--run <dir>', 'a run directory written by hardneg train or demo')
    .option('--json', 'print only one JSON line on stdout (the rest goes to stderr)')
    .action(async (flags: { run: string; json?: boolean }, cmd: Command) => {
      const out = commandOutput(flags.json);
      const run = new RunWriter(flags.run);
      if (!existsSync(run.file('config.json'))) throw new UsageError(`--run: ${flags.run} is not a run directory (no config.json)`);
      if (!existsSync(join(flags.run, 'checkpoint', 'model'))) throw new UsageError(`--run: ${flags.run} has no checkpoint/model to evaluate`);
      await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      // A finished run is evaluated as it was trained, even if today's rules would refuse its config.
      const config = parseTrainConfig(run.readJson<{ config: unknown }>('config.json').config, `${flags.run}/config.json`, { rules: false });
      const data = await loadTrainTest(config.data, config.seed);
      const { model } = await loadModel(join(flags.run, 'checkpoint', 'model'));
      const backbone = config.task === 'supervised' ? (model.getLayer(BACKBONE_NAME) as tf.LayersModel) : backboneOf(model);
      const bank = datasetFeatures(backbone, data.train);
      const test = datasetFeatures(backbone, data.test);
      const knn = knnClassify(bank, data.train.labels, test, data.test.labels, { k: config.eval.knnK, temperature: config.eval.knnTemperature });
      const probe = linearProbe(bank, data.train.labels, test, data.test.labels, { seed: config.seed });
      const result = {
        knn_top1: knn.top1, knn_top5: knn.top5, linear_probe_top1: probe.top1,
        ...embeddingGeometry(backbone, data.test, augmentConfig(config.augment as AugmentOverrides), config.seed),
      };
      tf.dispose([bank, test]);
      model.dispose();
      run.writeJson('eval.json', result);
      out.line(`${flags.run}: ${Object.entries(result).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
      out.json({ run: flags.run, ...result });
    });
}
