/**
 * Atomic file writes: the content goes to a temporary file in the same directory, every byte is
 * checked written, the file is flushed (fsync), then renamed over the target and the directory
 * flushed, so a reader (or an interrupted run) sees the old file or the new one, never half of one.
 *
 * `write(2)` may write fewer bytes than asked (a nearly full disk does this before it fails with
 * ENOSPC); every write here loops until all bytes are out or the system refuses, and any failure
 * (ENOSPC, EISDIR, EACCES, …) is a one-line `WriteError` naming the path. A failed write removes
 * its temporary file and never renames it into place.
 *
 * Temporary files are named `.<name>.<pid>.tmp`; `removeOrphanTemps` deletes those left behind by
 * a process that no longer runs (a kill -9 between open and rename).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processAlive } from './processAlive.js';

/** A file that could not be written completely; the message names it. */
export class WriteError extends Error {
  override name = 'WriteError';
}

/** The system's reason for a failed file operation in words, e.g. "no space left on device (ENOSPC)". */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a parent is not a directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOENT: 'no such directory',
    EEXIST: 'a file of that name exists',
  };
  if (e?.code !== undefined && words[e.code] !== undefined) return `${words[e.code]} (${e.code})`;
  return e?.message ?? String(err);
}

/** Wraps a failed file operation on `path` into a one-line `WriteError` (a `WriteError` passes through). */
export function writeError(path: string, err: unknown, what = 'cannot write'): WriteError {
  if (err instanceof WriteError) return err;
  return new WriteError(`${what} ${path}: ${reason(err)}`, { cause: err });
}

/**
 * Writes all of `bytes` to `fd` at the current position, looping over short writes; a write that
 * makes no progress, or fails, is an error naming `path`.
 */
export function writeAll(fd: number, bytes: Uint8Array, path: string, write: typeof writeSync = writeSync): void {
  let done = 0;
  while (done < bytes.byteLength) {
    let n: number;
    try {
      n = write(fd, bytes, done, bytes.byteLength - done);
    } catch (err) {
      throw writeError(path, err);
    }
    if (!(n > 0)) throw new WriteError(`cannot write ${path}: wrote ${done} of ${bytes.byteLength} bytes, then the system accepted no more`);
    done += n;
  }
}

const toBytes = (data: string | Uint8Array): Uint8Array => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

/** The temporary sibling of `path` that this process writes before renaming. */
export function tempPathOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Flushes a directory's entries (a rename in it) to disk; a file system that cannot is ignored. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems do not fsync directories (EINVAL/EISDIR); the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Opens `path` for writing, creating its directory; errors name it. */
function openForWrite(path: string): number {
  try {
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, 'w');
  } catch (err) {
    throw writeError(path, err);
  }
}

/** Writes `data` to `path` atomically (see the file comment); throws a `WriteError` naming `path`. */
export function writeFileAtomic(path: string, data: string | Uint8Array, write: typeof writeSync = writeSync): void {
  const writer = new AtomicFileWriter(path, write);
  try {
    writer.writeBytes(toBytes(data));
    writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/**
 * A file written in pieces and published atomically: `write` appends to a temporary file beside
 * `path`; `commit` flushes it and renames it over `path`; `abort` removes it. For outputs too
 * large to build in memory first.
 */
export class AtomicFileWriter {
  private readonly tmp: string;
  private fd: number | undefined;
  private position = 0;

  constructor(
    readonly path: string,
    private readonly writeFn: typeof writeSync = writeSync,
  ) {
    this.tmp = tempPathOf(path);
    this.fd = openForWrite(this.tmp);
  }

  write(data: string): void {
    this.writeBytes(toBytes(data));
  }

  writeBytes(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`AtomicFileWriter: ${this.path} is already closed`);
    writeAll(this.fd, bytes, this.path, this.writeFn);
    this.position += bytes.byteLength;
  }

  /** Overwrites bytes already written, at `position` (e.g. a header whose count is known only at the end). */
  writeAt(data: Uint8Array, position: number): void {
    if (this.fd === undefined) throw new Error(`AtomicFileWriter: ${this.path} is already closed`);
    if (position + data.length > this.position) throw new Error(`AtomicFileWriter: writeAt ${position}+${data.length} is past the ${this.position} bytes written to ${this.path}`);
    for (let done = 0; done < data.length; ) {
      let n: number;
      try {
        n = this.writeFn(this.fd, data, done, data.length - done, position + done);
      } catch (err) {
        throw writeError(this.path, err);
      }
      if (!(n > 0)) throw new WriteError(`cannot write ${this.path}: the system accepted no more bytes at ${position + done}`);
      done += n;
    }
  }

  commit(): void {
    if (this.fd === undefined) throw new Error(`AtomicFileWriter: ${this.path} is already closed`);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
      renameSync(this.tmp, this.path);
    } catch (err) {
      throw writeError(this.path, err);
    }
    syncDirectory(dirname(this.path));
  }

  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.tmp, { force: true });
  }
}

/**
 * Appends `data` to `path` (a log such as metrics.jsonl) with every byte checked and flushed. A
 * failure is a `WriteError` naming `path`; the log may then end in a torn line, which its reader
 * drops (`train/runWriter.ts`).
 */
export function appendFileChecked(path: string, data: string, write: typeof writeSync = writeSync): void {
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (err) {
    throw writeError(path, err);
  }
  try {
    writeAll(fd, toBytes(data), path, write);
    fsyncSync(fd);
  } catch (err) {
    throw writeError(path, err);
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes the temporary files (`.<name>.<pid>.tmp`, and directories `.<name>.tmp-<pid>-…`) in `dir`
 * whose writing process no longer runs; with `names`, only those of these file names. Returns the
 * paths removed.
 */
export function removeOrphanTemps(dir: string, names?: string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const m = /^\.(.+)\.(\d+)\.tmp$/.exec(entry) ?? /^\.(.+)\.tmp-(\d+)-[0-9a-f]+$/.exec(entry);
    if (m === null || (names !== undefined && !names.includes(m[1]))) continue;
    if (processAlive(Number(m[2]))) continue;
    rmSync(join(dir, entry), { recursive: true, force: true });
    removed.push(join(dir, entry));
  }
  return removed;
}
