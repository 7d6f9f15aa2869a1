/**
 * `train(config)`: loads the data, creates (or reopens, with `resume`) `runs/<name>/`, writes
 * config.json, and runs the trainer for the config's task.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { engineInfo } from '../engine/backend.js';
import { parseTrainConfig, type TrainConfig } from './config.js';
import { configDifferences, describeDifferences } from './configDiff.js';
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
  /** How the run was asked for (config file, `--set` overrides, …), recorded in config.json. */
  invocation?: Record<string, unknown>;
}

export function hardnegVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const { runsDir = 'runs', resume = false, hooks } = options;
  checkStepMemory('train', config.encoder, config.batchSize, config.task === 'moco' ? 4 : 1);
  const data = await loadTrainTest(config.data, config.seed);
  const run = RunWriter.create(runsDir, config.name, resume);
  try {
    if (resume) {
      checkResumeConfig(run, config);
    } else {
      run.writeJson('config.json', {
        name: config.name,
        task: config.task,
        seed: config.seed,
        backend: engineInfo()?.backend ?? tf.getBackend(),
        versions: { hardneg: hardnegVersion(), tfjs: tf.version.tfjs, node: process.version },
        config,
        ...(options.invocation ? { invocation: options.invocation } : {}),
        data: { dataset: config.data.dataset, train: data.train.labels.length, test: data.test.labels.length, split: data.split },
        created: new Date().toISOString(),
      });
    }
    const trainer = config.task === 'moco' ? trainSelfSupervised : trainSupervised;
    return await trainer(config, data, run, resume, hooks);
  } finally {
    run.release();
  }
}

/** The config a run was started with (config.json's `config`), validated. */
export function savedConfig(runPath: string): TrainConfig {
  const run = new RunWriter(runPath);
  const saved = run.readJson<{ config?: unknown }>('config.json').config;
  return parseTrainConfig(saved, `${run.file('config.json')}: config`);
}

/**
 * `--resume` continues the config a run was started with: one that differs (but in `nonFinite`,
 * which may be changed to skip past a divergence) is an error naming the keys.
 */
function checkResumeConfig(run: RunWriter, config: TrainConfig): void {
  const saved = savedConfig(run.path);
  const differences = configDifferences({ ...saved, nonFinite: undefined }, { ...config, nonFinite: undefined });
  if (differences.length > 0) {
    throw new Error(`--resume: the config differs from the one ${run.path} was started with: ${describeDifferences(differences)} (resume with --resume ${run.path} alone to use the saved config)`);
  }
}
