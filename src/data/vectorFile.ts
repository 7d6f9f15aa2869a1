/**
 * A minimal NPY (NumPy format 1.0–3.0) reader and writer for the one layout mining needs: a 2-D
 * little-endian float32 matrix in C order (`np.save(path, x.astype('<f4'))`). Rows are read by
 * range straight from the file (`readRows`), so a corpus larger than memory is read a shard at a
 * time.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface NpyMatrix {
  path: string;
  rows: number;
  dim: number;
  /** Byte offset of the first value. */
  dataOffset: number;
}

const MAGIC = '\x93NUMPY';

/** Reads and checks the header of a `[rows, dim]` float32 NPY file. */
export function openNpy(path: string): NpyMatrix {
  const fd = openFile(path);
  try {
    const fixed = Buffer.alloc(12);
    readSync(fd, fixed, 0, 12, 0);
    if (fixed.toString('latin1', 0, 6) !== MAGIC) throw new Error(`${path}: not an NPY file (no \\x93NUMPY magic)`);
    const major = fixed[6];
    const wide = major >= 2;
    const headerLength = wide ? fixed.readUInt32LE(8) : fixed.readUInt16LE(8);
    const start = wide ? 12 : 10;
    const header = Buffer.alloc(headerLength);
    readSync(fd, header, 0, headerLength, start);
    const text = header.toString(major >= 3 ? 'utf8' : 'latin1');
    const descr = /'descr':\s*'([^']*)'/.exec(text)?.[1];
    const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
    const shape = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
    if (descr === undefined || fortran === undefined || shape === undefined) throw new Error(`${path}: malformed NPY header: ${text.trim()}`);
    if (descr !== '<f4') throw new Error(`${path}: NPY dtype must be '<f4' (little-endian float32), got '${descr}'`);
    if (fortran === 'True') throw new Error(`${path}: NPY array must be in C order (fortran_order False)`);
    const dims = shape.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (dims.length !== 2) throw new Error(`${path}: NPY array must be 2-D [rows, dim], got shape (${shape})`);
    if (!dims.every((d) => /^[1-9]\d*$/.test(d))) throw new Error(`${path}: NPY shape must be two integers >= 1 [rows, dim], got (${shape})`);
    const [rows, dim] = dims.map(Number);
    const dataOffset = start + headerLength;
    const size = fstatSync(fd).size;
    const need = dataOffset + rows * dim * 4;
    if (size !== need) throw new Error(`${path}: NPY file is ${size < need ? 'truncated' : 'too long'}: ${size} bytes for a [${rows}, ${dim}] float32 array (expected ${need})`);
    return { path, rows, dim, dataOffset };
  } finally {
    closeSync(fd);
  }
}

/** Rows `[start, end)` of an NPY matrix as a new row-major array. */
export function readRows(npy: NpyMatrix, start: number, end: number): Float32Array {
  const n = Math.max(0, Math.min(end, npy.rows) - start);
  const out = new Float32Array(n * npy.dim);
  if (n === 0) return out;
  const fd = openFile(npy.path);
  try {
    const bytes = new Uint8Array(out.buffer);
    let done = 0;
    while (done < bytes.length) {
      const got = readSync(fd, bytes, done, bytes.length - done, npy.dataOffset + start * npy.dim * 4 + done);
      if (got === 0) throw new Error(`${npy.path}: NPY file ended early`);
      done += got;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

function openFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new Error(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
}
