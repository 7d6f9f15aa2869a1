import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readJsonl } from '../../src/data/jsonl.js';
import { scratchDir } from '../helpers.js';

const { dir, file } = scratchDir('jsonl');

test('one object per line; blank lines and CRLF are fine; line numbers are kept', async () => {
  const path = file('ok.jsonl', '{"q": "a", "pos": [1, 2]}\r\n\n  \n{"q": "b"}\n{"q": "ü"}');
  const { records, lines, skipped } = await readJsonl(path);
  assert.deepEqual(records, [{ q: 'a', pos: [1, 2] }, { q: 'b' }, { q: 'ü' }]);
  assert.deepEqual(lines, [1, 4, 5]);
  assert.deepEqual(skipped, []);
  assert.deepEqual((await readJsonl(file('empty.jsonl', ''))).records, []);
});

test('a bad line is an error naming the file and line, or skipped and counted with skipBad', async () => {
  const path = file('bad.jsonl', '{"a": 1}\n{"a": 2,}\n[1, 2]\n"text"\nnull\n{"a": 3}\n');
  await assert.rejects(readJsonl(path), (err: Error) => {
    assert.equal(err.name, 'DataError');
    assert.match(err.message, new RegExp(`^readJsonl: ${path} line 2: invalid JSON \\(`));
    assert.ok(!err.message.includes('\n'));
    return true;
  });
  const warnings: string[] = [];
  const { records, lines, skipped } = await readJsonl(path, { skipBad: true, onWarning: (m) => warnings.push(m) });
  assert.deepEqual(records, [{ a: 1 }, { a: 3 }]);
  assert.deepEqual(lines, [1, 6]);
  assert.deepEqual(skipped.map((s) => [s.line, s.reason.replace(/ \(.*/, '')]), [
    [2, 'invalid JSON'],
    [3, 'expected a JSON object, got an array'],
    [4, 'expected a JSON object, got a string'],
    [5, 'expected a JSON object, got null'],
  ]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], new RegExp(`^readJsonl: skipped 4 of 6 lines \\(first: ${path} line 2: invalid JSON`));
  await assert.rejects(readJsonl(file('arr.jsonl', '{}\n[]\n')), /readJsonl: .*arr.jsonl line 2: expected a JSON object, got an array$/);
});

test('unreadable paths are one-line errors', async () => {
  await assert.rejects(readJsonl(join(dir, 'none.jsonl')), /^DataError: readJsonl: cannot read .*none.jsonl: ENOENT/);
  await assert.rejects(readJsonl(dir), /readJsonl: cannot read .*: EISDIR/);
});
