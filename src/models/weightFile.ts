/**
 * A weight file: one file holding a model's configuration and float32 weights (the text encoder
 * and the adapter save to it), written atomically. Training runs checkpoint differently
 * (`train/checkpoint.ts`, a directory). Layout:
 *
 *   "HNCK" | u32 little-endian header length | header JSON (padded with spaces to 4 bytes) | weights
 *
 * The header is `{ kind, config, tensors: [{ name, shape }] }`; the weights follow in that order,
 * little-endian float32.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomicWrite.js';

export interface StoredTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface WeightFile<C> {
  kind: string;
  config: C;
  tensors: StoredTensor[];
}

const MAGIC = 'HNCK';

export function saveWeightFile<C>(path: string, file: WeightFile<C>): void {
  const { kind, config, tensors } = file;
  for (const t of tensors) {
    if (t.values.length !== t.shape.reduce((p, d) => p * d, 1)) throw new Error(`saveWeightFile: tensor '${t.name}' has ${t.values.length} values for shape [${t.shape}]`);
  }
  let header = JSON.stringify({ kind, config, tensors: tensors.map(({ name, shape }) => ({ name, shape })) });
  header += ' '.repeat((4 - ((8 + Buffer.byteLength(header)) % 4)) % 4);
  const headerBytes = Buffer.from(header, 'utf8');
  const total = 8 + headerBytes.length + tensors.reduce((s, t) => s + t.values.byteLength, 0);
  const out = Buffer.alloc(total);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(headerBytes.length, 4);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    const bytes = new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength);
    out.set(bytes, at);
    at += bytes.length;
  }
  writeFileAtomic(path, out);
}

/** Reads a weight file; `kind` must match the stored one. */
export function loadWeightFile<C>(path: string, kind: string): WeightFile<C> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read weight file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== MAGIC) throw new Error(`${path}: not a hardneg weight file (no ${MAGIC} header)`);
  const headerLength = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength)) as { kind: string; config: C; tensors: { name: string; shape: number[] }[] };
  if (header.kind !== kind) throw new Error(`${path}: holds a '${header.kind}', expected a '${kind}'`);
  let at = 8 + headerLength;
  const tensors = header.tensors.map(({ name, shape }) => {
    const n = shape.reduce((p, d) => p * d, 1);
    if (at + 4 * n > bytes.length) throw new Error(`${path}: truncated at tensor '${name}'`);
    const values = new Float32Array(n);
    new Uint8Array(values.buffer).set(bytes.subarray(at, at + 4 * n));
    at += 4 * n;
    return { name, shape, values };
  });
  return { kind: header.kind, config: header.config, tensors };
}
