/**
 * The safetensors format (Hugging Face), encoded and decoded in memory (no Node built-ins):
 *
 *   u64 little-endian N | N bytes of JSON header (padded with spaces to 8 bytes) | data
 *
 * The header maps each tensor name to `{ dtype, shape, data_offsets: [begin, end] }` (byte offsets
 * into the data, which the tensors tile without gaps) and may hold `__metadata__`, a map of
 * strings. Data is little-endian, row-major. Written here, not with an npm package: the format is
 * this small, and hardneg needs only F32 / F64 / I64 / I32 / U8.
 */

export type SafetensorsDtype = 'F32' | 'F64' | 'I64' | 'I32' | 'U8';
type Data = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export interface NamedTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Data;
}

export interface SafetensorsContents {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

/** A decoding error naming the file; one line. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, I64: 8, I32: 4, U8: 1 };
const ARRAYS = { F32: Float32Array, F64: Float64Array, I64: BigInt64Array, I32: Int32Array, U8: Uint8Array } as const;
const isLittleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A float32 tensor. */
export function f32(name: string, shape: number[], data: Float32Array): NamedTensor {
  return { name, dtype: 'F32', shape, data };
}

/** The bytes of a safetensors file holding `tensors` in the given order, with `metadata`. */
export function encodeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  if (!isLittleEndian) throw new Error('encodeSafetensors: a big-endian host is not supported');
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((p, d) => p * d, 1);
    if (t.data.length !== count) throw new Error(`encodeSafetensors: tensor '${t.name}' has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    if (!(t.data instanceof ARRAYS[t.dtype])) throw new Error(`encodeSafetensors: tensor '${t.name}' is declared ${t.dtype} but holds a ${t.data.constructor.name}`);
    if (t.name in header) throw new Error(`encodeSafetensors: tensor name '${t.name}' appears twice`);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  const raw = new TextEncoder().encode(json);
  json += ' '.repeat((8 - (raw.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Parses safetensors bytes; `source` (the file) names it in errors. Tensor data is copied out (aligned). */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsContents {
  const fail = (what: string) => new SafetensorsError(`${source}: ${what}`);
  if (bytes.length < 8) throw fail(`not a safetensors file (${bytes.length} bytes, shorter than the 8-byte header length)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) throw fail(`not a safetensors file (header length ${headerLength} exceeds the file's ${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + Number(headerLength)))) as Record<string, unknown>;
  } catch (err) {
    throw fail(`not a safetensors file (its header is not JSON: ${(err as Error).message.split('\n')[0]})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw fail('not a safetensors file (the header is not a JSON object)');
  const dataStart = 8 + Number(headerLength);
  const dataLength = bytes.length - dataStart;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const entries = Object.entries(header).filter(([name]) => name !== '__metadata__');
  const tensors = entries.map(([name, value]): NamedTensor & { begin: number } => {
    const { dtype, shape, data_offsets: offsets } = (value ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in BYTES)) throw fail(`tensor '${name}': dtype ${JSON.stringify(dtype)} is not supported (${Object.keys(BYTES).join(', ')})`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw fail(`tensor '${name}': malformed shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) throw fail(`tensor '${name}': malformed data_offsets ${JSON.stringify(offsets)}`);
    const type = dtype as SafetensorsDtype;
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((p, d) => p * d, 1);
    if (end - begin !== count * BYTES[type]) throw fail(`tensor '${name}': shape [${shape.join(', ')}] of ${type} needs ${count * BYTES[type]} bytes, data_offsets span ${end - begin}`);
    if (end > dataLength) throw fail(`truncated: tensor '${name}' ends at byte ${end} of the data, which has ${dataLength}`);
    const copy = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end)); // a copy (Buffer.slice would be a view)
    return { name, dtype: type, shape: shape as number[], data: new ARRAYS[type](copy.buffer, 0, count), begin };
  });
  const covered = [...tensors].sort((a, b) => a.begin - b.begin).reduce((at, t) => (t.begin === at ? at + t.data.byteLength : NaN), 0);
  if (covered !== dataLength) throw fail(`the tensors do not tile the ${dataLength} data bytes (overlapping, a gap, or trailing bytes)`);
  return { tensors: tensors.map(({ begin: _begin, ...t }) => t), metadata };
}

/** The tensor `name` of `contents` as float32 of `shape`; throws naming the file, the tensor and both shapes. */
export function takeF32(contents: SafetensorsContents, name: string, shape: number[], source: string): Float32Array {
  const t = contents.tensors.find((x) => x.name === name);
  if (!t) throw new SafetensorsError(`${source}: has no tensor '${name}' (it has ${contents.tensors.map((x) => x.name).join(', ') || 'none'})`);
  if (t.shape.join() !== shape.join()) throw new SafetensorsError(`${source}: tensor '${name}' has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  if (t.dtype === 'F32') return t.data as Float32Array;
  if (t.dtype === 'F64') return Float32Array.from(t.data as Float64Array);
  throw new SafetensorsError(`${source}: tensor '${name}' is ${t.dtype}, expected F32 or F64`);
}
