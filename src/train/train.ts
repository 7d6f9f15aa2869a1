/**
 * `train(config)`: loads the data, creates (or reopens, with `resume`) `runs/<name>/`, writes
 * config.json, and runs the trainer for the config's task.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { engineInfo } from '../engine/backend.js';
import type { TrainConfig } from './config.js';
import { loadTrainTest } from './loadData.js';
import { checkStepMemory } from './memoryCheck.js';
import { RunWriter } from './runWriter.js';
import type { TrainHooks, TrainResult } from './epochLoop.js';
import { trainSelfSupervised } from './selfSupervised.js';
import { trainSupervised } from './supervised.js';

export interface TrainOptions {
  /** Parent of the run directory (default `runs`). */
  runsDir?: string;
  /** Continue `runs/<name>` from its last checkpoint. */
  resume?: boolean;
  hooks?: TrainHooks;
}

export function hardnegVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const { runsDir = 'runs', resume = false, hooks } = options;
  checkStepMemory('train', config.encoder, config.batchSize, config.task === 'moco' ? 4 : 1);
  const data = await loadTrainTest(config.data, config.seed);
  const run = RunWriter.create(runsDir, config.name, resume);
  if (resume) {
    const saved = run.readJson<{ config: TrainConfig }>('config.json').config;
    if (JSON.stringify(saved) !== JSON.stringify(config)) throw new Error(`--resume: the config differs from the one ${run.path} was started with`);
  } else {
    run.writeJson('config.json', {
      name: config.name,
      task: config.task,
      seed: config.seed,
      backend: engineInfo()?.backend ?? tf.getBackend(),
      versions: { hardneg: hardnegVersion(), tfjs: tf.version.tfjs, node: process.version },
      config,
      data: { dataset: config.data.dataset, train: data.train.labels.length, test: data.test.labels.length, split: data.split },
      created: new Date().toISOString(),
    });
  }
  const trainer = config.task === 'moco' ? trainSelfSupervised : trainSupervised;
  return trainer(config, data, run, resume, hooks);
}
