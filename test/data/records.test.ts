import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openRecords } from '../../src/data/records.js';
import { writeNpy } from '../../src/data/npyWrite.js';
import { scratchDir } from '../helpers.js';

const { dir, file } = scratchDir('records');

test('text JSONL: ids, texts, labels, line numbers; blank lines and CRLF are fine; take and skip', () => {
  const path = file('t.jsonl', '{"id": "a", "text": "one"}\r\n\n{"id": 7, "text": "two", "label": 3}\n{"id": "c", "text": "thrée"}');
  const f = openRecords(path);
  assert.equal(f.content, 'text');
  const c = f.open();
  const first = c.take(2);
  assert.equal(first.vectors, undefined);
  assert.deepEqual(first.items, [
    { row: 0, id: 'a', line: 1, text: 'one', label: undefined },
    { row: 1, id: '7', line: 3, text: 'two', label: '3' },
  ]);
  assert.deepEqual(c.take(5).items.map((i) => [i.row, i.id, i.text]), [[2, 'c', 'thrée']]);
  assert.equal(c.take(5).items.length, 0);
  assert.equal(c.bytesRead, f.bytes + 1); // the last line has no newline
  c.close();
  const d = f.open();
  assert.equal(d.skip(2), 2);
  assert.equal(d.take(1).items[0].row, 2);
  assert.equal(d.skip(4), 0);
  d.close();
});

test('vector JSONL and NPY: one row-major array per batch', () => {
  const path = file('v.jsonl', '{"id": "x", "vector": [1, 2], "text": "kept"}\n{"id": "y", "vector": [3.5, -4]}\n');
  const f = openRecords(path);
  assert.deepEqual([f.content, f.dim], ['vector', 2]);
  const batch = f.open().take(10);
  assert.deepEqual(Array.from(batch.vectors!), [1, 2, 3.5, -4]);
  assert.equal(batch.items[0].text, 'kept');
  assert.equal(batch.items[0].vector, undefined);
  const npy = join(dir, 'v.npy');
  writeNpy(npy, Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
  const n = openRecords(npy);
  assert.deepEqual([n.content, n.dim], ['vector', 2]);
  const c = n.open();
  assert.equal(c.skip(1), 1);
  const b = c.take(5);
  assert.deepEqual(b.items, [{ row: 1, id: '1', line: 2 }, { row: 2, id: '2', line: 3 }]);
  assert.deepEqual(Array.from(b.vectors!), [3, 4, 5, 6]);
});

test('malformed records are errors that name the file and the line', () => {
  const cases: [string, RegExp][] = [
    ['{"id": "a", "text": "x"}\n{"id": "b", "text": \n', /bad1\.jsonl:2: malformed JSON \(/],
    ['{"id": "a", "text": "x"}\n[1, 2]\n', /bad2\.jsonl:2: expected a JSON object/],
    ['{"id": "a", "text": "x"}\n\n{"text": "y"}\n', /bad3\.jsonl:3: record needs an "id" \(string or number\)/],
    ['{"id": "a", "text": "x"}\n{"id": "b", "vector": [1]}\n', /bad4\.jsonl:2: record needs a "text"/],
    ['{"id": "a", "vector": [1, 2, 3]}\n{"id": "b", "vector": [1, 2]}\n', /bad5\.jsonl:2: vector has 2 values, expected 3 \(the dimension of the file's first vector\)/],
    ['{"id": "a", "vector": [1, 2]}\n{"id": "b", "vector": [1, "2"]}\n', /bad6\.jsonl:2: vector value 1 is not a finite number \("2"\)/],
    ['{"id": "a", "vector": [1, 2]}\n{"id": "b", "text": "t"}\n', /bad7\.jsonl:2: record needs a "vector"/],
    ['{"id": "a", "text": 5}\n', /bad8\.jsonl:1: "text" must be a string/],
  ];
  cases.forEach(([text, message], i) => {
    const path = file(`bad${i + 1}.jsonl`, text);
    assert.throws(() => openRecords(path).open().take(100), message);
  });
  assert.throws(() => openRecords(file('empty.jsonl', '\n\n')), /empty\.jsonl: no records \(the file is empty\)/);
  assert.throws(() => openRecords(join(dir, 'none.jsonl')), /none\.jsonl: cannot open \(ENOENT\)/);
  const nan = join(dir, 'nan.npy');
  writeNpy(nan, Float32Array.from([1, NaN]), [1, 2]);
  assert.throws(() => openRecords(nan).open().take(1), /nan\.npy: row 0 holds NaN or Inf/);
});
