/**
 * IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed: a 4-byte magic
 * `0x00 0x00 <type> <ndim>`, `ndim` big-endian uint32 dimensions, then the elements row-major.
 * Only unsigned bytes (type 0x08) are supported, which is what image and label files use.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError, errorMessage } from './dataReport.js';

export interface IdxArray {
  shape: number[];
  /** The elements, row-major (a view into the file's bytes, not a copy). */
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

/** Reads an IDX file (gzip detected by its magic bytes, whatever the file name). */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new DataError(`readIdx: cannot read ${path}: ${errorMessage(err)}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new DataError(`readIdx: ${path}: corrupt gzip data (${errorMessage(err)})`);
    }
  }
  return parseIdx(bytes, path);
}

/** Parses the bytes of an (uncompressed) IDX file; `source` names it in errors. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const fail = (what: string) => new DataError(`readIdx: ${source}: ${what}`);
  if (bytes.length < 4) throw fail(`too short for an IDX header (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw fail(`not an IDX file (magic bytes ${hex(bytes[0])} ${hex(bytes[1])}, expected 0x00 0x00)`);
  }
  const type = bytes[2];
  if (type !== 0x08) {
    const name = TYPE_NAMES[type] ? ` (${TYPE_NAMES[type]})` : '';
    throw fail(`element type ${hex(type)}${name} is not supported; only 0x08 (uint8)`);
  }
  const ndim = bytes[3];
  if (ndim < 1) throw fail('has 0 dimensions');
  const header = 4 + 4 * ndim;
  if (bytes.length < header) throw fail(`truncated header: ${ndim} dimensions need ${header} bytes, file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: ndim }, (_v, i) => view.getUint32(4 + 4 * i, false));
  if (shape.some((d) => d === 0)) throw fail(`has a zero dimension [${shape.join(', ')}]`);
  const count = shape.reduce((a, b) => a * b, 1);
  const found = bytes.length - header;
  if (found < count) throw fail(`truncated: shape [${shape.join(', ')}] needs ${count} bytes of data, found ${found}`);
  if (found > count) throw fail(`${found - count} unexpected bytes after the data of shape [${shape.join(', ')}]`);
  return { shape, data: bytes.subarray(header) };
}

function hex(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}
