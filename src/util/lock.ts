/**
 * An exclusive lock held by one process: a file that holds the holder's PID, created atomically
 * (written beside it, then hard-linked into place, which fails when the lock exists). A second
 * process gets a one-line `LockError` naming the lock file and the holder's PID; a lock whose
 * holder no longer runs (killed with -9) is stale and is taken over. `release` removes it, and so
 * does the exit of the process.
 */
import { linkSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { processAlive } from './processAlive.js';
import { tempPathOf, writeError, writeFileAtomic } from './atomicWrite.js';

/** Another running process holds the lock; the message names the lock file and its PID. */
export class LockError extends Error {
  override name = 'LockError';
}

export interface Lock {
  readonly path: string;
  release(): void;
}

/** The PID written in a lock file, or undefined when there is none. */
function holderOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function busy(what: string, path: string, holder: number): LockError {
  return new LockError(`${what} is in use by process ${holder} (lock ${path}); wait for it to finish, or delete the lock if that process is not hardneg`);
}

/** Tries to link a finished lock file `mine` to `path`; false when a lock is already there. */
function tryLink(mine: string, path: string): boolean {
  try {
    linkSync(mine, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeError(path, err, 'cannot create lock');
  }
}

/** Takes the lock at `path` for this process; `what` names the guarded thing in errors (e.g. "run directory runs/x"). */
export function acquireLock(path: string, what: string): Lock {
  const mine = tempPathOf(path);
  writeFileAtomic(mine, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      if (tryLink(mine, path)) break;
      const holder = holderOf(path);
      if (holder === process.pid) throw new LockError(`${what} is already locked by this process (${path})`);
      if (holder !== undefined && processAlive(holder)) throw busy(what, path, holder);
      if (attempt >= 3) throw new LockError(`${what}: cannot take the lock ${path} (other processes keep taking it)`);
      // Stale: move it aside under a name of our own, so two processes never both remove a fresh lock.
      const aside = `${mine}.stale`;
      try {
        renameSync(path, aside);
      } catch {
        continue; // someone else moved it first
      }
      const moved = holderOf(aside);
      if (moved !== undefined && moved !== holder && processAlive(moved)) {
        tryLink(aside, path); // we moved a live process's fresh lock: put it back
        rmSync(aside, { force: true });
        throw busy(what, path, moved);
      }
      rmSync(aside, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    if (holderOf(path) === process.pid) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { path, release };
}
