/**
 * Helpers of the robustness suite: tiny training configs (in memory and on disk), the CLI as a child process
 * (bin/hardneg.js, so `npm run build` first, as for test/cli), and what a finished run left,
 * compared without its timings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrainConfig, type TrainConfig } from '../../src/train/config.js';

/** A tiny MoCo run: 2,048 MNIST images, MLP 784→32→16, 3 epochs of 64 steps of 32 images. */
export function writeTinyConfig(dir: string, name: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    [
      `name: ${name}`,
      'task: moco',
      'seed: 2',
      'data: { dataset: mnist, limit: 2048, testSize: 200 }',
      'encoder: { backbone: { kind: mlp, inputDim: 784, hidden: [32], outputDim: 16 } }',
      'epochs: 3',
      'batchSize: 32',
      'optimizer: { kind: sgd, lr: 0.1, momentum: 0.9 }',
      'moco: { queue: 256, momentum: 0.9, temperature: 0.2, mochi: { N: 32, s: 16, sPrime: 8, startEpoch: 1 } }',
      'eval: { knnK: 20 }',
      '',
    ].join('\n'),
  );
  return path;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `hardneg --backend wasm <args>`; `done` resolves when it exits. */
export function startHardneg(args: string[]): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, ['bin/hardneg.js', '--backend', 'wasm', ...args], { env: { ...process.env, HARDNEG_BACKEND: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export const runHardneg = (args: string[]) => startHardneg(args).done;

/** Polls `condition` every `ms` until it holds (true) or `child` has exited (false). */
export async function waitFor(condition: () => boolean, child: ChildProcess, ms = 2): Promise<boolean> {
  while (child.exitCode === null && child.signalCode === null) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, ms));
  }
  return false;
}

/** The lines of metrics.jsonl less the wall-clock seconds, and the test embeddings' bytes. */
export function outcome(runDir: string): { metrics: Record<string, number>[]; embeddings: string } {
  const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const row = JSON.parse(l) as Record<string, number>;
      delete row.seconds;
      return row;
    });
  const embeddings = existsSync(join(runDir, 'test-embeddings.npy')) ? readFileSync(join(runDir, 'test-embeddings.npy')).toString('base64') : '';
  return { metrics, embeddings };
}

/** The position a run's checkpoint resumes at. */
export function checkpointPosition(runDir: string, which = 'checkpoint'): { epoch: number; step: number } {
  return (JSON.parse(readFileSync(join(runDir, which, 'state.json'), 'utf8')) as { position: { epoch: number; step: number } }).position;
}

/**
 * A tiny MoCo run: 512 MNIST images, MLP 784→32→16, 2 epochs of 4 steps. Parsed without the
 * cross-field rules (which refuse e.g. lr 1e6 or τ 1e-30 up front), so the divergence tests reach
 * the trainer's own detection, as a hand-built `TrainConfig` would.
 */
export function tinyConfig(name: string, extra: Record<string, unknown> = {}): TrainConfig {
  return parseTrainConfig({
    name,
    task: 'moco',
    seed: 1,
    data: { dataset: 'mnist', limit: 512, testSize: 200 },
    encoder: { backbone: { kind: 'mlp', inputDim: 784, hidden: [32], outputDim: 16 } },
    epochs: 2,
    batchSize: 128,
    optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 },
    moco: { queue: 256, momentum: 0.9, temperature: 0.2 },
    eval: { knnK: 20 },
    ...extra,
  }, 'config', { rules: false });
}
