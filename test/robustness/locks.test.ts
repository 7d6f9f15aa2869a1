/**
 * Locks on run directories and mining outputs: a live holder is named in a one-line error, a
 * dead holder's lock is taken over, a lock is released when its work ends. Run names stay inside
 * their runs directory.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireLock, LockError } from '../../src/util/lock.js';
import { RunWriter } from '../../src/train/runWriter.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'hardneg-locks-'));
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

test('a lock held by a running process is refused with its PID and path; a dead holder\'s lock is taken over', async () => {
  const dir = scratch();
  const path = join(dir, 'x.lock');
  const other = spawn('sleep', ['30']);
  try {
    writeFileSync(path, `${other.pid}\n`);
    assert.throws(() => acquireLock(path, 'run directory runs/x'), (e: Error) => e instanceof LockError && e.message.startsWith(`run directory runs/x is in use by process ${other.pid} (lock ${path})`));
  } finally {
    other.kill();
  }
  writeFileSync(path, `${deadPid()}\n`);
  const lock = acquireLock(path, 'run directory runs/x');
  assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
  assert.throws(() => acquireLock(path, 'run directory runs/x'), /already locked by this process/);
  lock.release();
  assert.equal(existsSync(path), false);
});

test('RunWriter: a second writer of the same run is refused while the first holds it; names cannot leave the runs directory', () => {
  const runs = scratch();
  const first = RunWriter.create(runs, 'a', false);
  first.writeJson('config.json', { name: 'a' });
  assert.throws(() => RunWriter.create(runs, 'a', true), /is already locked by this process/);
  first.release();
  const again = RunWriter.create(runs, 'a', true);
  again.release();
  for (const name of ['../../../x', '..', 'a/b', '']) {
    assert.throws(() => RunWriter.create(join(runs, 'sub'), name, false), (e: Error) => e.message.startsWith(`run name ${JSON.stringify(name)} must be letters, digits, . _ - only`));
  }
  assert.equal(existsSync(join(runs, 'sub')), false);
  mkdirSync(join(runs, 'b'));
  writeFileSync(join(runs, 'b', '.lock'), `${deadPid()}\n`);
  RunWriter.create(runs, 'b', false).release();
});
