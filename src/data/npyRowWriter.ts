/**
 * An NPY file `[rows, dim]` of float32 written a batch of rows at a time and published atomically:
 * the header is written first with room for any row count (padded to 128 bytes), the rows are
 * appended, and `commit` rewrites the header with the final count, flushes and renames the file
 * into place. Until then the target path is untouched; `abort` removes the temporary file.
 */
import { AtomicFileWriter } from '../util/atomicWrite.js';

const HEADER_BYTES = 128;

/** The 128-byte NPY v1.0 header of a `[rows, dim]` `<f4` array. */
export function npyHeader(rows: number, dim: number): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${dim}), }`;
  const text = dict + ' '.repeat(HEADER_BYTES - 10 - dict.length - 1) + '\n';
  const out = new Uint8Array(HEADER_BYTES);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(new TextEncoder().encode(text), 10);
  return out;
}

export class NpyRowWriter {
  private readonly file: AtomicFileWriter;
  private rows = 0;

  constructor(readonly path: string, readonly dim: number) {
    this.file = new AtomicFileWriter(path);
    this.file.writeBytes(npyHeader(0, dim));
  }

  /** Appends rows `[n, dim]`, row-major. */
  append(values: Float32Array): void {
    if (values.length % this.dim !== 0) throw new Error(`NpyRowWriter: ${values.length} values are not rows of ${this.dim}`);
    this.file.writeBytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    this.rows += values.length / this.dim;
  }

  commit(): void {
    this.file.writeAt(npyHeader(this.rows, this.dim), 0);
    this.file.commit();
  }

  abort(): void {
    this.file.abort();
  }
}
