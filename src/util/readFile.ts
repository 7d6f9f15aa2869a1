/**
 * Reading a whole file, with the caller's error: `fail` receives the system error code (ENOENT,
 * EISDIR, …) and returns the error to throw, so each reader names its file its own way. The
 * Node-only side of readers that otherwise run anywhere (e.g. `models/weightFile.ts`).
 */
import { readFileSync } from 'node:fs';

export function readFileOr(path: string, fail: (code: string) => Error): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw fail((err as NodeJS.ErrnoException).code ?? String(err));
  }
}
