/**
 * Atomic file writes: the content goes to a temporary file in the same directory, is flushed,
 * then renamed over the target, so a reader (or an interrupted run) sees the old file or the new
 * one, never half of one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
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

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    this.fd = openSync(this.tmp, 'w');
  }

  write(data: string): void {
    if (this.fd === undefined) throw new Error(`AtomicFileWriter: ${this.path} is already closed`);
    writeSync(this.fd, data);
  }

  commit(): void {
    if (this.fd === undefined) throw new Error(`AtomicFileWriter: ${this.path} is already closed`);
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.tmp, this.path);
  }

  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.tmp, { force: true });
  }
}
