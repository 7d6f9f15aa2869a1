import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { qrelsMap, readQrels } from '../../src/data/qrels.js';
import { scratchDir } from '../helpers.js';

const { dir, file } = scratchDir('qrels');

test('BEIR TSV (with its header), TREC and JSONL qrels give the same judgements', () => {
  const tsv = readQrels(file('q.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td 2\t0\n\nq2\td3\t2\n'));
  assert.deepEqual(tsv, [
    { query: 'q1', doc: 'd1', grade: 1, line: 2 },
    { query: 'q1', doc: 'd 2', grade: 0, line: 3 },
    { query: 'q2', doc: 'd3', grade: 2, line: 5 },
  ]);
  const trec = readQrels(file('q.trec', 'q1 0 d1 1\nq2 0 d3 2\n'));
  assert.deepEqual(trec.map((j) => [j.query, j.doc, j.grade]), [['q1', 'd1', 1], ['q2', 'd3', 2]]);
  const jsonl = readQrels(file('q.jsonl', '{"query_id": "q1", "corpus_id": "d1"}\n{"query_id": 2, "corpus_id": "d3", "score": 2}\n'));
  assert.deepEqual(jsonl.map((j) => [j.query, j.doc, j.grade]), [['q1', 'd1', 1], ['2', 'd3', 2]]);
  const map = qrelsMap(tsv);
  assert.deepEqual([...map.get('q1')!], [['d1', 1], ['d 2', 0]]);
});

test('malformed qrels are errors with file and line', () => {
  assert.throws(() => readQrels(file('a.tsv', 'q1\td1\t1\nq2\td2\n')), /a\.tsv:2: expected 'query-id<TAB>corpus-id<TAB>score' .* got 2 fields/);
  assert.throws(() => readQrels(file('b.tsv', 'q1\td1\t1\nq2\td2\thigh\n')), /b\.tsv:2: score 'high' is not a number/);
  assert.throws(() => readQrels(file('c.jsonl', '{"query_id": "q1"}\n')), /c\.jsonl:1: qrels record needs "query_id" and "corpus_id"/);
  assert.throws(() => readQrels(file('d.jsonl', '{"query_id": "q1", "corpus_id": "d"}\n{oops\n')), /d\.jsonl:2: malformed JSON/);
  assert.throws(() => readQrels(file('e.tsv', 'query-id\tcorpus-id\tscore\n')), /e\.tsv: no judgements/);
  assert.throws(() => readQrels(join(dir, 'none.tsv')), /none\.tsv: cannot open \(ENOENT\)/);
});
