/**
 * `train(config)`: loads the data, checks the config against it (`configRules.ts`), creates (or reopens, with `resume`) `runs/<name>/`, writes
 * config.json, and runs the trainer for the config's task.
 */
import { readFileSync } from 'node:fs';
import * as tf from '../engine/tf.js';
import { engineInfo } from '../engine/backend.js';
import { parseTrainConfig, type TrainConfig } from './config.js';
import { configDifferences, describeDifferences } from './configDiff.js';
import { ConfigError } from './configError.js';
import { dataRuleErrors } from './configRules.js';
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
  /** Receives a line for each setting adjusted on purpose (e.g. the kNN k cut to the bank size); default: stderr. */
  onNote?: (line: string) => void;
}

export function hardnegVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const { runsDir = 'runs', resume = false, hooks, onNote = (line: string) => console.error(`note: ${line}`) } = options;
  checkStepMemory('train', config.encoder, config.batchSize, config.task === 'moco' ? 4 : 1);
  const data = await loadTrainTest(config.data, config.seed, config.task === 'supervised');
  // Everything the data decides is checked before the run directory exists.
  const { errors, notes } = dataRuleErrors(config, data, data.available);
  if (errors.length > 0) throw new ConfigError(errors);
  for (const note of notes) onNote(note);
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
        data: {
          dataset: config.data.dataset, train: data.train.labels.length, test: data.test.labels.length, split: data.split,
          ...(data.skipped ? { skipped: data.skipped } : {}), ...(data.knnBank ? { unlabelled: true, knnBank: data.knnBank.labels.length } : {}),
        },
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
  return parseTrainConfig(saved, `${run.file('config.json')}: config`, { rules: false });
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
