/**
 * NPY arrays (NumPy's `.npy`, format versions 1–3): little-endian float32 (`<f4`), float64
 * (`<f8`), int32 (`<i4`), int64 (`<i8`, NumPy's default integer, returned as int32 when every
 * value fits) and uint8 (`|u1`), in C order. Data that is aligned in the file is viewed, not copied.
 */
import { readFileSync } from 'node:fs';
import { DataError, errorMessage } from './dataReport.js';
import { type ImageDataset, createDataset } from './dataset.js';

export type NpyArray =
  | { dtype: 'float32'; shape: number[]; data: Float32Array }
  | { dtype: 'float64'; shape: number[]; data: Float64Array }
  | { dtype: 'int32'; shape: number[]; data: Int32Array }
  | { dtype: 'uint8'; shape: number[]; data: Uint8Array };

const DTYPES: Record<string, { dtype: NpyArray['dtype']; bytes: number }> = {
  '<f4': { dtype: 'float32', bytes: 4 },
  '<f8': { dtype: 'float64', bytes: 8 },
  '<i4': { dtype: 'int32', bytes: 4 },
  '<i8': { dtype: 'int32', bytes: 8 },
  '|u1': { dtype: 'uint8', bytes: 1 },
  '<u1': { dtype: 'uint8', bytes: 1 },
};
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Reads a `.npy` file. */
export function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new DataError(`readNpy: cannot read ${path}: ${errorMessage(err)}`);
  }
  return parseNpy(bytes, path);
}

/** Parses the bytes of a `.npy` file; `source` names it in errors. */
export function parseNpy(bytes: Uint8Array, source: string): NpyArray {
  const fail = (what: string) => new DataError(`readNpy: ${source}: ${what}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw fail('not an NPY file (missing the \\x93NUMPY magic)');
  const major = bytes[6];
  if (major < 1 || major > 3) throw fail(`unsupported NPY format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw fail('truncated header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (bytes.length < dataStart) throw fail(`truncated header: ${headerLength} bytes announced, ${bytes.length - 8 - lengthBytes} present`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw fail(`malformed header ${JSON.stringify(header.trim())}`);
  const type = DTYPES[descr];
  if (!type) {
    const hint = descr.startsWith('>') ? ' (big-endian is not supported)' : '';
    throw fail(`dtype '${descr}'${hint} is not supported; expected one of ${Object.keys(DTYPES).join(', ')}`);
  }
  if (fortran === 'True') throw fail('Fortran-order arrays are not supported (save np.ascontiguousarray(x))');
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (!dims.every((d) => /^\d+$/.test(d))) throw fail(`malformed shape (${shapeText})`);
  const shape = dims.map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const found = bytes.length - dataStart;
  const need = count * type.bytes;
  if (found !== need) throw fail(`${found < need ? 'truncated' : 'too long'}: shape [${shape.join(', ')}] of ${descr} needs ${need} data bytes, found ${found}`);

  const offset = bytes.byteOffset + dataStart;
  const buffer = offset % type.bytes === 0 ? bytes.buffer : bytes.slice(dataStart).buffer;
  const start = offset % type.bytes === 0 ? offset : 0;
  switch (descr) {
    case '<f4':
      return { dtype: 'float32', shape, data: new Float32Array(buffer, start, count) };
    case '<f8':
      return { dtype: 'float64', shape, data: new Float64Array(buffer, start, count) };
    case '<i4':
      return { dtype: 'int32', shape, data: new Int32Array(buffer, start, count) };
    case '<i8': {
      const wide = new BigInt64Array(buffer, start, count);
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        if (wide[i] < -2147483648n || wide[i] > 2147483647n) throw fail(`int64 value ${wide[i]} at index ${i} does not fit in int32`);
        data[i] = Number(wide[i]);
      }
      return { dtype: 'int32', shape, data };
    }
    default:
      return { dtype: 'uint8', shape, data: new Uint8Array(buffer, start, count) };
  }
}

/**
 * A dataset from an images array `[n, H, W]` or `[n, H, W, C]` (uint8 scaled by /255, or floats
 * already in [0, 1]) and an integer labels array `[n]`. Class names default to '0', '1', … up to
 * the largest label. Without a labels file (`labelsPath` null: a self-supervised run) every label
 * is 0 of one class 'unlabelled'. A float32 file is viewed, not copied.
 */
export function loadNpyDataset(imagesPath: string, labelsPath: string | null, classNames?: string[]): ImageDataset {
  const fn = 'loadNpyDataset';
  const images = readNpy(imagesPath);
  const shape = images.shape;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new DataError(`${fn}: ${imagesPath}: expected images [n, H, W] or [n, H, W, C] (rank 3 or 4), got rank ${shape.length} [${shape.join(', ')}]`);
  }
  const n = shape[0];
  let labels: Int32Array;
  let names = classNames;
  if (labelsPath === null) {
    labels = new Int32Array(n);
    names ??= ['unlabelled'];
  } else {
    const stored = readNpy(labelsPath);
    if (stored.dtype !== 'int32' && stored.dtype !== 'uint8') throw new DataError(`${fn}: ${labelsPath}: labels must be integers, got ${stored.dtype}`);
    if (stored.shape.length !== 1) throw new DataError(`${fn}: ${labelsPath}: expected labels [n] (rank 1), got rank ${stored.shape.length} [${stored.shape.join(', ')}]`);
    if (stored.shape[0] !== n) throw new DataError(`${fn}: ${labelsPath} has ${stored.shape[0]} labels but ${imagesPath} has ${n} images`);
    labels = Int32Array.from(stored.data);
    const bad = labels.findIndex((y) => y < 0);
    if (bad >= 0) throw new DataError(`${fn}: ${labelsPath}: label ${labels[bad]} at index ${bad} is negative`);
    names ??= Array.from({ length: labels.reduce((m, y) => Math.max(m, y), -1) + 1 }, (_v, i) => String(i));
  }
  let pixels: Float32Array;
  if (images.dtype === 'uint8') {
    pixels = new Float32Array(images.data.length);
    for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  } else {
    pixels = images.dtype === 'float32' ? images.data : Float32Array.from(images.data);
    const bad = pixels.findIndex((v) => !(v >= 0 && v <= 1));
    if (bad >= 0) throw new DataError(`${fn}: ${imagesPath}: float images must be in [0, 1], got ${pixels[bad]} at index ${bad}`);
  }
  const dims: [number, number, number, number] = [n, shape[1], shape[2], shape[3] ?? 1];
  return createDataset(pixels, labels, dims, names, `${fn}: ${labelsPath ?? imagesPath}`);
}
