/**
 * Images (or vectors) read a range of rows at a time, for embedding inputs larger than memory:
 *
 *   a folder   `<dir>/<class>/*.png|jpg` and `<dir>/*.png|jpg`; id = the path under `dir`
 *   NPY        `[n, …]` of `<f4` (as stored), `<f8` (to float32) or `|u1` (÷ 255); id = the row
 *   IDX        `[n, …]` uint8 (÷ 255); id = the row. A gzipped IDX file is decompressed in memory.
 *
 * Rows come back as float32 `[count, …rowShape]`, row-major. Errors name the file.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { DataError, errorMessage } from './dataReport.js';
import { readIdx } from './idx.js';
import { decodeImageInto, imageFileShape, listImageFiles } from './imageFolder.js';

export interface ImageRows {
  path: string;
  rows: number;
  /** Shape of one row: `[H, W, C]`, `[H, W]` or `[D]`. */
  rowShape: number[];
  id(row: number): string;
  /** Rows `[start, end)` as float32. */
  read(start: number, end: number): Float32Array;
}

/** Opens a folder, an `.npy` or an IDX file (by extension: `.idx`, `-ubyte`, `.gz`; a directory is a folder). */
export function openImageRows(path: string, shape?: [number, number, number]): ImageRows {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new DataError(`${path}: cannot open (${errorMessage(err)})`);
  }
  if (isDir) return folderRows(path, shape);
  if (path.endsWith('.npy')) return npyRows(path);
  return idxRows(path);
}

function folderRows(dir: string, shape?: [number, number, number]): ImageRows {
  const files = listImageFiles(dir);
  if (files.length === 0) throw new DataError(`${dir}: no .png, .jpg or .jpeg images in it or its sub-folders`);
  const rowShape = shape ?? imageFileShapeNamed(files[0]);
  const size = rowShape[0] * rowShape[1] * rowShape[2];
  return {
    path: dir,
    rows: files.length,
    rowShape,
    id: (row) => relative(dir, files[row]),
    read(start, end) {
      const out = new Float32Array((end - start) * size);
      for (let r = start; r < end; r++) {
        try {
          decodeImageInto(files[r], rowShape, out, (r - start) * size);
        } catch (err) {
          throw new DataError(`${files[r]}: ${errorMessage(err)}`);
        }
      }
      return out;
    },
  };
}

function imageFileShapeNamed(file: string): [number, number, number] {
  try {
    return imageFileShape(file);
  } catch (err) {
    throw new DataError(`${file}: ${errorMessage(err)}`);
  }
}

const NPY_TYPES: Record<string, { bytes: number; convert: (view: DataView, at: number) => number }> = {
  '<f4': { bytes: 4, convert: (v, at) => v.getFloat32(at, true) },
  '<f8': { bytes: 8, convert: (v, at) => v.getFloat64(at, true) },
  '|u1': { bytes: 1, convert: (v, at) => v.getUint8(at) / 255 },
  '<u1': { bytes: 1, convert: (v, at) => v.getUint8(at) / 255 },
};

function npyRows(path: string): ImageRows {
  const head = readBytes(path, 0, Math.min(65536 + 12, statSync(path).size));
  const fail = (what: string) => new DataError(`${path}: ${what}`);
  if (head.length < 10 || new TextDecoder('latin1').decode(head.subarray(0, 6)) !== '\x93NUMPY') throw fail('not an NPY file (missing the \\x93NUMPY magic)');
  const major = head[6];
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(head.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? '';
  const type = NPY_TYPES[descr];
  if (!type) throw fail(`dtype '${descr}' is not supported for embedding; expected <f4, <f8 or |u1`);
  if (/'fortran_order'\s*:\s*True/.test(header)) throw fail('Fortran-order arrays are not supported (save np.ascontiguousarray(x))');
  const shape = (/'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.length < 2 || shape.length > 4) throw fail(`expected rows [n, D], [n, H, W] or [n, H, W, C] (rank 2 to 4), got rank ${shape.length} [${shape.join(', ')}]`);
  const [rows, ...rowShape] = shape;
  const size = rowShape.reduce((p, d) => p * d, 1);
  const dataOffset = start + headerLength;
  const need = dataOffset + rows * size * type.bytes;
  if (statSync(path).size !== need) throw fail(`holds ${statSync(path).size} bytes, shape [${shape.join(', ')}] of ${descr} needs ${need}`);
  return {
    path,
    rows,
    rowShape,
    id: (row) => String(row),
    read(first, end) {
      const bytes = readBytes(path, dataOffset + first * size * type.bytes, (end - first) * size * type.bytes);
      if (descr === '<f4') return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return Float32Array.from({ length: (end - first) * size }, (_x, i) => type.convert(v, i * type.bytes));
    },
  };
}

function idxRows(path: string): ImageRows {
  const probe = readBytes(path, 0, Math.min(statSync(path).size, 2));
  if (probe[0] === 0x1f && probe[1] === 0x8b) {
    const { shape, data } = readIdx(path);
    const [rows, ...rowShape] = shape;
    const size = rowShape.reduce((p, d) => p * d, 1);
    return { path, rows, rowShape, id: (row) => String(row), read: (a, b) => Float32Array.from(data.subarray(a * size, b * size), (v) => v / 255) };
  }
  const fixed = readBytes(path, 0, 4);
  if (fixed[0] !== 0 || fixed[1] !== 0 || fixed[2] !== 0x08) throw new DataError(`${path}: not a uint8 IDX file (magic ${Array.from(fixed).join(' ')}), nor .npy, nor a folder`);
  const ndim = fixed[3];
  const dims = readBytes(path, 4, 4 * ndim);
  const shape = Array.from({ length: ndim }, (_v, i) => new DataView(dims.buffer, dims.byteOffset).getUint32(4 * i, false));
  const [rows, ...rowShape] = shape;
  const size = rowShape.reduce((p, d) => p * d, 1);
  const dataOffset = 4 + 4 * ndim;
  if (statSync(path).size !== dataOffset + rows * size) throw new DataError(`${path}: holds ${statSync(path).size} bytes, IDX shape [${shape.join(', ')}] needs ${dataOffset + rows * size}`);
  return { path, rows, rowShape, id: (row) => String(row), read: (a, b) => Float32Array.from(readBytes(path, dataOffset + a * size, (b - a) * size), (v) => v / 255) };
}

/** `length` bytes of `path` from `position`; a short file is an error naming it. */
function readBytes(path: string, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const fd = openSync(path, 'r');
  try {
    for (let done = 0; done < length; ) {
      const got = readSync(fd, out, done, length - done, position + done);
      if (got === 0) throw new DataError(`${path}: ended early (wanted bytes ${position}..${position + length})`);
      done += got;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
