/**
 * Interruptions end to end, through the CLI: Ctrl-C stops within one step and exits 130; kill -9
 * during training and in the middle of writing a checkpoint; the crash states between a
 * checkpoint's renames, a corrupt latest checkpoint and a torn metrics line; two resumes at once.
 * Every interrupted run, resumed with `--resume <run-dir>` alone, ends equal to an uninterrupted
 * one: the same metrics (but wall-clock seconds) and byte-identical test embeddings.
 */
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { checkpointPosition, outcome, runHardneg, startHardneg, waitFor, writeTinyConfig } from './suiteHelpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hardneg-interrupt-'));
const runs = join(dir, 'runs');
let baseline: ReturnType<typeof outcome>;

before(async () => {
  const r = await runHardneg(['train', '--config', writeTinyConfig(dir, 'whole'), '--runs-dir', runs]);
  assert.equal(r.code, 0, r.stderr);
  baseline = outcome(join(runs, 'whole'));
  assert.equal(baseline.metrics.length, 3);
});

/** Resumes `runDir` with no other flag and checks that it ends equal to the uninterrupted run. */
async function resumeEqual(runDir: string): Promise<string> {
  const r = await runHardneg(['train', '--resume', runDir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(outcome(runDir), baseline);
  assert.deepEqual(readdirSync(runDir).filter((f) => f.includes('.tmp') || f === '.lock'), []);
  return r.stderr;
}

test('Ctrl-C in epoch 2 stops within the epoch, exits 130 and prints a resume command that needs no flags; the resumed run equals an uninterrupted one', async () => {
  const runDir = join(runs, 'ctrlc');
  const { child, done } = startHardneg(['train', '--config', writeTinyConfig(dir, 'ctrlc'), '--runs-dir', runs, '--set', 'warmupEpochs=0']);
  // Once epoch 1's checkpoint is in place, epoch 2's steps run: the signal lands among them.
  assert.ok(await waitFor(() => positionOr(runDir)?.epoch === 1, child), 'epoch 1 ends');
  child.kill('SIGINT');
  const r = await done;
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, new RegExp(`interrupted: resume with hardneg train --resume ${runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
  const position = checkpointPosition(runDir);
  assert.equal(position.epoch, 1, 'stopped in epoch 2 (0-based 1), not at its end');
  assert.ok(position.step >= 1 && position.step < 64, `step ${position.step}`);
  await resumeEqual(runDir);
});

test('kill -9 during training, then mid-checkpoint: each resume equals the uninterrupted run', async () => {
  const runDir = join(runs, 'kill');
  const config = writeTinyConfig(dir, 'kill');
  const first = startHardneg(['train', '--config', config, '--runs-dir', runs]);
  assert.ok(await waitFor(() => existsSync(join(runDir, 'metrics.jsonl')), first.child));
  await new Promise((r) => setTimeout(r, 300));
  first.child.kill('SIGKILL');
  assert.equal((await first.done).signal, 'SIGKILL');
  // Resume, and kill it while it writes its next checkpoint (checkpoint.tmp exists).
  const second = startHardneg(['train', '--resume', runDir]);
  const caught = await waitFor(() => existsSync(join(runDir, 'checkpoint.tmp')), second.child, 0);
  second.child.kill('SIGKILL');
  await second.done;
  assert.ok(caught, 'killed while checkpoint.tmp was being written');
  assert.ok(existsSync(join(runDir, '.lock')), 'the killed process left its lock (stale now)');
  await resumeEqual(runDir);
});

test('crash states: only checkpoint.old (between the renames), a corrupt latest checkpoint, a torn metrics line — each resumes to the same result', async () => {
  // An interrupted run with a latest checkpoint and a previous one.
  const source = join(runs, 'source');
  const run = startHardneg(['train', '--config', writeTinyConfig(dir, 'source'), '--runs-dir', runs]);
  // Stopped in epoch 2 (Ctrl-C as soon as epoch 1's checkpoint is in place, with two epochs of steps
  // left, so a fast machine cannot finish first): the stop's checkpoint rotates epoch 1's to checkpoint.old.
  assert.ok(await waitFor(() => positionOr(source)?.epoch === 1, run.child), 'epoch 1 ends');
  run.child.kill('SIGINT');
  assert.equal((await run.done).code, 130);
  assert.ok(existsSync(join(source, 'checkpoint.old')) && existsSync(join(source, 'metrics.jsonl')), 'a latest and a previous checkpoint');
  const copy = (name: string) => {
    const path = join(runs, name);
    cpSync(source, path, { recursive: true });
    return path;
  };
  // Killed between `checkpoint` → `checkpoint.old` and `checkpoint.tmp` → `checkpoint`.
  const between = copy('source-between');
  rmSync(join(between, 'checkpoint.old'), { recursive: true });
  renameSync(join(between, 'checkpoint'), join(between, 'checkpoint.old'));
  // A latest checkpoint whose weights were altered (same size): the manifest's SHA-256 catches it.
  const corrupt = copy('source-corrupt');
  const weights = join(corrupt, 'checkpoint', 'model', 'weights.bin');
  writeFileSync(weights, Buffer.alloc(statSync(weights).size));
  // An append cut short.
  const torn = copy('source-torn');
  appendFileSync(join(torn, 'metrics.jsonl'), '{"epoch":2,"step":12');
  // A run directory keeps its run's name: rename the copies' runs.
  for (const path of [between, corrupt, torn]) {
    const saved = JSON.parse(readFileSync(join(source, 'config.json'), 'utf8')) as { name: string; config: { name: string } };
    saved.name = saved.config.name = path.split('/').pop()!;
    writeFileSync(join(path, 'config.json'), JSON.stringify(saved));
  }
  await resumeEqual(between);
  const warned = await resumeEqual(corrupt);
  assert.match(warned, /warning: the latest checkpoint is unreadable \(loadModel: .*weights\.bin is corrupt: its SHA-256 differs from the manifest's\); resuming from .*checkpoint\.old/);
  await resumeEqual(torn);
});

test('two resumes of one run at once: the second is refused naming the lock and the first one\'s PID', async () => {
  const runDir = join(runs, 'twice');
  const first = startHardneg(['train', '--config', writeTinyConfig(dir, 'twice'), '--runs-dir', runs]);
  assert.ok(await waitFor(() => existsSync(join(runDir, 'metrics.jsonl')), first.child));
  first.child.kill('SIGKILL');
  await first.done;
  const a = startHardneg(['train', '--resume', runDir]);
  assert.ok(await waitFor(() => existsSync(join(runDir, '.lock')) && lockHolder(join(runDir, '.lock')) === a.child.pid, a.child));
  // Paused while the second one runs: on a quiet machine the tiny run's resume could finish first.
  a.child.kill('SIGSTOP');
  const b = await runHardneg(['train', '--resume', runDir]);
  a.child.kill('SIGCONT');
  assert.equal(b.code, 1);
  const errorLines = b.stderr.trim().split('\n').filter((l) => !l.startsWith('backend:'));
  assert.deepEqual(errorLines, [`hardneg: error: run directory ${runDir} is in use by process ${a.child.pid} (lock ${join(runDir, '.lock')}); wait for it to finish, or delete the lock if that process is not hardneg`]);
  assert.equal((await a.done).code, 0);
  assert.deepEqual(outcome(runDir), baseline);
});

function lockHolder(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** The position of the run's latest checkpoint, or undefined while there is none (or it is being replaced). */
function positionOr(runDir: string): { epoch: number; step: number } | undefined {
  try {
    return checkpointPosition(runDir);
  } catch {
    return undefined;
  }
}
