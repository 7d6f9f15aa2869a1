import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSafetensors, encodeSafetensors, f32, takeF32 } from '../../src/models/safetensors.js';

test('encodes the safetensors layout: u64 LE header length, space-padded JSON header, tensors back to back', () => {
  const bytes = encodeSafetensors(
    [f32('w', [2, 3], Float32Array.of(1, 2, 3, 4, 5, 6)), { name: 'n', dtype: 'I64', shape: [], data: BigInt64Array.of(7n) }, f32('b', [1], Float32Array.of(-0.5))],
    { format: 'pt' },
  );
  const view = new DataView(bytes.buffer);
  const n = Number(view.getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0, 'data starts 8-byte aligned');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header, {
    __metadata__: { format: 'pt' },
    w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
    n: { dtype: 'I64', shape: [], data_offsets: [24, 32] },
    b: { dtype: 'F32', shape: [1], data_offsets: [32, 36] },
  });
  assert.equal(bytes.length, 8 + n + 36);
  assert.equal(view.getFloat32(8 + n + 20, true), 6);
  assert.equal(view.getBigInt64(8 + n + 24, true), 7n);
  const back = decodeSafetensors(bytes, 'mem');
  assert.deepEqual(back.metadata, { format: 'pt' });
  assert.deepEqual(Array.from(takeF32(back, 'w', [2, 3], 'mem')), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(back.tensors.map((t) => [t.name, t.dtype, t.shape]), [['w', 'F32', [2, 3]], ['n', 'I64', []], ['b', 'F32', [1]]]);
});

test('bad files are one-line errors naming the file and the tensor', () => {
  const good = encodeSafetensors([f32('w', [2], Float32Array.of(1, 2)), f32('b', [1], Float32Array.of(3))]);
  assert.throws(() => decodeSafetensors(good.subarray(0, good.length - 2), 'm.st'), /^SafetensorsError: m\.st: truncated: tensor 'b' ends at byte 12 of the data, which has 10$/);
  assert.throws(() => decodeSafetensors(Uint8Array.of(1, 2, 3), 'x'), /x: not a safetensors file \(3 bytes/);
  assert.throws(() => decodeSafetensors(new TextEncoder().encode('not a safetensors file at all'), 'junk'), /junk: not a safetensors file \(header length \d+ exceeds/);
  const header = (h: object) => {
    const json = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + json.length + 8);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    return out;
  };
  assert.throws(() => decodeSafetensors(header({ a: { dtype: 'BF16', shape: [4], data_offsets: [0, 8] } }), 'h'), /h: tensor 'a': dtype "BF16" is not supported/);
  assert.throws(() => decodeSafetensors(header({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }), 'h'), /tensor 'a': shape \[3\] of F32 needs 12 bytes, data_offsets span 8/);
  assert.throws(() => decodeSafetensors(header({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }), 'h'), /h: the tensors do not tile the 8 data bytes/);
  assert.throws(() => takeF32(decodeSafetensors(good, 'g'), 'w', [3], 'g'), /g: tensor 'w' has shape \[2\], expected \[3\]/);
  assert.throws(() => takeF32(decodeSafetensors(good, 'g'), 'v', [2], 'g'), /g: has no tensor 'v' \(it has w, b\)/);
  assert.throws(() => encodeSafetensors([f32('w', [3], Float32Array.of(1))]), /tensor 'w' has 1 values for shape \[3\]/);
});
