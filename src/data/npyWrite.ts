/**
 * Writes NPY v1.0 files (little-endian, C order) for float32 and int32 arrays, readable by
 * NumPy's `np.load` and by `readNpy`. The header is padded so the data starts 64-byte aligned.
 */
import { writeFileAtomic } from '../util/atomicWrite.js';

export function encodeNpy(data: Float32Array | Int32Array, shape: number[]): Uint8Array {
  const count = shape.reduce((p, d) => p * d, 1);
  if (count !== data.length) throw new Error(`encodeNpy: shape [${shape}] holds ${count} values, got ${data.length}`);
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export function writeNpy(path: string, data: Float32Array | Int32Array, shape: number[]): void {
  writeFileAtomic(path, encodeNpy(data, shape));
}
