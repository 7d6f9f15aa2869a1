/** The addon's operation codes (native/opcodes.c) are the only copy of kernels.h's numbers; the TypeScript side agrees with them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { opcode } from '../../../src/engine/native/addon.js';
import { loadAddon } from '../../../src/engine/native/loadAddon.js';
import { Mode, OPCODE_NAMES } from '../../../src/engine/native/elementwise.js';
import { nativeSkip } from '../../helpers.js';

const skip = await nativeSkip();

test('the addon exports a code for every kernel the native backend replaces, and no others', { skip }, async () => {
  const addon = (await loadAddon())!;
  for (const table of ['unary', 'binary', 'reduce'] as const) {
    assert.deepEqual(Object.keys(addon.opcodes[table]).sort(), [...OPCODE_NAMES[table]].sort(), table);
    const codes = Object.values(addon.opcodes[table]);
    assert.deepEqual([...codes].sort((a, b) => a - b), codes.map((_, i) => i), `${table}: codes 0..n−1, each once`);
  }
  assert.equal(opcode('binary', 'Multiply'), addon.opcodes.binary.Multiply);
  assert.throws(() => opcode('unary', 'Erf'), /no unary opcode for 'Erf'/);
});

test('the operand modes TypeScript branches on are the addon\'s', { skip }, async () => {
  const addon = (await loadAddon())!;
  assert.deepEqual(addon.opcodes.modes, { Full: Mode.Full, Row: Mode.Row, Col: Mode.Col, Scalar: Mode.Scalar });
});
