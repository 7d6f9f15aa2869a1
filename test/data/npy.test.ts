import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadNpyDataset, parseNpy, readNpy } from '../../src/data/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'hardneg-npy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Files written by NumPy 1.24.2 (`np.save`, or `np.lib.format.write_array(..., version=(2, 0))`), base64. */
const NUMPY = {
  // np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1
  f4: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIC/AAAAvwAAAAAAAAA/AACAPwAAwD8=',
  // np.array([0.1, -2.5, 1e300])
  f8: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqamZmZmZm5PwAAAAAAAATAnHUAiDzkN34=',
  // np.array([[1, -2], [2147483647, -2147483648]], dtype=np.int32)
  i4: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAA/v///////38AAACA',
  // np.arange(8, dtype=np.uint8).reshape(2, 2, 2) * 30
  u1: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAHjxaeJa00g==',
  // np.array([0, 1, 2, 1]) (int64)
  i8: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAEAAAAAAAAAAgAAAAAAAAABAAAAAAAAAA==',
  // np.array([7, 8, 9], dtype=np.int32), format version 2.0
  v2: 'k05VTVBZAgB0AAAAeydkZXNjcic6ICc8aTQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoHAAAACAAAAAkAAAA=',
  // np.float32(3.5), a 0-d array
  scalar: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAGBA',
  // np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
  fortran: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQAAAgD8AAIBAAAAAQAAAoEA=',
  // np.arange(3, dtype='>f4')
  bigEndian: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAP4AAAEAAAAA=',
};
const bytes = (name: keyof typeof NUMPY) => new Uint8Array(Buffer.from(NUMPY[name], 'base64'));

test('parses what NumPy writes: dtypes, shapes, versions 1 and 2, 0-d', () => {
  const f4 = parseNpy(bytes('f4'), 'f4');
  assert.equal(f4.dtype, 'float32');
  assert.deepEqual(f4.shape, [2, 3]);
  assert.deepEqual(Array.from(f4.data), [-1, -0.5, 0, 0.5, 1, 1.5]);
  const f8 = parseNpy(bytes('f8'), 'f8');
  assert.equal(f8.dtype, 'float64');
  assert.deepEqual(Array.from(f8.data), [0.1, -2.5, 1e300]);
  assert.deepEqual(Array.from(parseNpy(bytes('i4'), 'i4').data), [1, -2, 2147483647, -2147483648]);
  const u1 = parseNpy(bytes('u1'), 'u1');
  assert.deepEqual([u1.dtype, u1.shape], ['uint8', [2, 2, 2]]);
  assert.deepEqual(Array.from(u1.data), [0, 30, 60, 90, 120, 150, 180, 210]);
  const i8 = parseNpy(bytes('i8'), 'i8');
  assert.deepEqual([i8.dtype, Array.from(i8.data)], ['int32', [0, 1, 2, 1]]);
  assert.deepEqual(Array.from(parseNpy(bytes('v2'), 'v2').data), [7, 8, 9]);
  const scalar = parseNpy(bytes('scalar'), 'scalar');
  assert.deepEqual([scalar.shape, Array.from(scalar.data)], [[], [3.5]]);
});

test('aligned data is a view of the file bytes; misaligned data is copied', () => {
  const file = bytes('f4');
  const aligned = parseNpy(file, 'f4');
  assert.equal(aligned.data.buffer, file.buffer);
  const shifted = new Uint8Array(file.length + 1).subarray(1);
  shifted.set(file);
  const copy = parseNpy(shifted, 'shifted');
  assert.notEqual(copy.data.buffer, shifted.buffer);
  assert.deepEqual(Array.from(copy.data), [-1, -0.5, 0, 0.5, 1, 1.5]);
});

test('bad files give one-line errors naming the file', () => {
  const f4 = bytes('f4');
  const int64 = bytes('i8');
  new DataView(int64.buffer).setBigInt64(int64.length - 8, 1n << 40n, true);
  const cases: [string, Uint8Array, RegExp][] = [
    ['png.npy', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 0, 0), /not an NPY file \(missing the \\x93NUMPY magic\)/],
    ['v9.npy', Uint8Array.from([...f4.subarray(0, 6), 9, 0, ...f4.subarray(8)]), /unsupported NPY format version 9.0/],
    ['fortran.npy', bytes('fortran'), /Fortran-order arrays are not supported/],
    ['be.npy', bytes('bigEndian'), /dtype '>f4' \(big-endian is not supported\) is not supported; expected one of <f4, <f8, <i4, <i8, \|u1, <u1/],
    ['short.npy', f4.subarray(0, f4.length - 3), /truncated: shape \[2, 3\] of <f4 needs 24 data bytes, found 21/],
    ['long.npy', Uint8Array.from([...f4, 0, 0, 0, 0]), /too long: shape \[2, 3\] of <f4 needs 24 data bytes, found 28/],
    ['header.npy', f4.subarray(0, 40), /truncated header: 118 bytes announced, 30 present/],
    ['int64.npy', int64, /int64 value 1099511627776 at index 3 does not fit in int32/],
  ];
  for (const [name, data, message] of cases) {
    const path = join(dir, name);
    writeFileSync(path, data);
    assert.throws(() => readNpy(path), (err: Error) => {
      assert.equal(err.name, 'DataError');
      assert.ok(err.message.startsWith(`readNpy: ${path}: `), err.message);
      assert.match(err.message, message);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  }
  const garbled = Uint8Array.from(f4);
  garbled.set(new TextEncoder().encode("'shape': [2, 3]"), 50);
  assert.throws(() => parseNpy(garbled, 'garbled.npy'), /readNpy: garbled.npy: malformed header/);
  assert.throws(() => readNpy(join(dir, 'absent.npy')), /readNpy: cannot read .*absent.npy: ENOENT/);
});

/** A version-1.0 NPY file as NumPy writes it: the header padded with spaces to a multiple of 64 bytes. */
function npy(descr: string, shape: number[], data: ArrayBufferView): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Uint8Array.from([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8, ...new TextEncoder().encode(header)]);
  return Uint8Array.from([...head, ...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]);
}

test('loadNpyDataset: uint8 images scaled by 1/255 with int64 labels; float images must be in [0, 1]', () => {
  assert.deepEqual(npy('<f4', [2, 3], Float32Array.of(-1, -0.5, 0, 0.5, 1, 1.5)), bytes('f4'), 'the test writer matches NumPy');
  writeFileSync(join(dir, 'x.npy'), bytes('u1'));
  writeFileSync(join(dir, 'y.npy'), npy('<i8', [2], BigInt64Array.of(1n, 0n)));
  const ds = loadNpyDataset(join(dir, 'x.npy'), join(dir, 'y.npy'));
  assert.deepEqual(ds.shape, [2, 2, 2, 1]);
  assert.deepEqual(Array.from(ds.labels), [1, 0]);
  assert.deepEqual(ds.classNames, ['0', '1']);
  assert.deepEqual(Array.from(ds.images), [0, 30, 60, 90, 120, 150, 180, 210].map((v) => Math.fround(v / 255)));
  writeFileSync(join(dir, 'rgb.npy'), npy('<f8', [1, 1, 2, 3], Float64Array.of(0, 0.25, 0.5, 0.75, 1, 0.125)));
  writeFileSync(join(dir, 'y1.npy'), npy('|u1', [1], Uint8Array.of(2)));
  const rgb = loadNpyDataset(join(dir, 'rgb.npy'), join(dir, 'y1.npy'), ['a', 'b', 'c']);
  assert.deepEqual([rgb.shape, Array.from(rgb.images), rgb.classNames], [[1, 1, 2, 3], [0, 0.25, 0.5, 0.75, 1, 0.125], ['a', 'b', 'c']]);
  writeFileSync(join(dir, 'big.npy'), npy('<f4', [1, 1, 2], Float32Array.of(0.5, 255)));
  assert.throws(() => loadNpyDataset(join(dir, 'big.npy'), join(dir, 'y1.npy')), /big.npy: float images must be in \[0, 1\], got 255 at index 1/);
  writeFileSync(join(dir, 'f.npy'), bytes('f4'));
  assert.throws(() => loadNpyDataset(join(dir, 'f.npy'), join(dir, 'y.npy')), /f\.npy: expected images \[n, H, W\] or \[n, H, W, C\] \(rank 3 or 4\), got rank 2 \[2, 3\]/);
  assert.throws(() => loadNpyDataset(join(dir, 'x.npy'), join(dir, 'f.npy')), /labels must be integers, got float32/);
  assert.throws(() => loadNpyDataset(join(dir, 'x.npy'), join(dir, 'y1.npy')), /y1.npy has 1 labels but .*x.npy has 2 images/);
  writeFileSync(join(dir, 'neg.npy'), npy('<i4', [2], Int32Array.of(0, -1)));
  assert.throws(() => loadNpyDataset(join(dir, 'x.npy'), join(dir, 'neg.npy')), /neg\.npy: label -1 at index 1 is negative/);
  const unlabelled = loadNpyDataset(join(dir, 'x.npy'), null);
  assert.deepEqual([Array.from(unlabelled.labels), unlabelled.classNames], [[0, 0], ['unlabelled']]);
});
