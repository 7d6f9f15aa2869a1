import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Rng } from '../../src/engine/random.js';
import { mine, summaryPath, type CorpusMineOptions } from '../../src/mining/mine.js';
import { writeNpy } from '../../src/data/npyWrite.js';
import { HashedTextEncoder } from '../../src/models/textEncoder.js';
import { setup } from '../helpers.js';
import { dot, unit } from '../reference/float64.js';

before(() => setup('wasm'));
const dir = mkdtempSync(join(tmpdir(), 'hardneg-mine-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, name);
const write = (name: string, text: string) => (writeFileSync(path(name), text), path(name));
const readJsonl = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);

// 300 corpus vectors of 8; 12 queries, each near its own corpus row (its positive).
const rng = new Rng(0);
const [N, Q, D] = [300, 12, 8];
const corpus = rng.normalArray(N * D);
const positiveRow = Array.from({ length: Q }, (_, q) => 20 * q + 3);
const queries = positiveRow.map((r) => Array.from(corpus.subarray(r * D, (r + 1) * D), (v) => v + 0.6 * rng.normal()));
writeNpy(path('corpus.npy'), corpus, [N, D]);
write('queries.jsonl', queries.map((v, q) => JSON.stringify({ id: `q${q}`, vector: v })).join('\n'));
write('qrels.tsv', `query-id\tcorpus-id\tscore\n${positiveRow.map((r, q) => `q${q}\t${r}\t1`).join('\n')}\n`);
const base = { queries: path('queries.jsonl'), corpus: path('corpus.npy'), qrels: path('qrels.tsv') };

/** Float64 ranking of the corpus for query q: rows by cosine, descending. */
function ranking(q: number): { row: number; score: number }[] {
  const u = unit(queries[q]);
  return Array.from({ length: N }, (_, r) => ({ row: r, score: dot(u, unit(Array.from(corpus.subarray(r * D, (r + 1) * D)))) })).sort((a, b) => b.score - a.score || a.row - b.row);
}

test('exact mining writes each query with its positive and the hardest non-positive rows (float64 brute force)', () => {
  const { summary: s } = mine({ ...base, output: path('out.jsonl'), negatives: 3, rangeMax: 20 });
  const rows = readJsonl(path('out.jsonl'));
  assert.equal(rows.length, Q);
  rows.forEach((row, q) => {
    const expected = ranking(q).filter((c) => c.row !== positiveRow[q]).slice(0, 3).map((c) => String(c.row));
    assert.deepEqual(row, { anchor: `q${q}`, positive: String(positiveRow[q]), negative_1: expected[0], negative_2: expected[1], negative_3: expected[2] });
  });
  assert.equal(s.candidatesPerQuery, 21);
  assert.equal(s.candidatesSeen, Q * 21);
  const positivesInLists = positiveRow.filter((r, q) => ranking(q).findIndex((c) => c.row === r) < 21).length;
  assert.equal(s.dropped.positive, positivesInLists);
  assert.equal(s.dropped.range, Q * 21 - positivesInLists - Q * 20);
  assert.equal(s.negativesChosen, Q * 3);
  assert.equal(s.notSampled, Q * 17);
  assert.equal(s.histograms.kept.reduce((a, b) => a + b, 0), Q * 3);
  assert.equal(s.histograms.positive.reduce((a, b) => a + b, 0), Q);
  assert.deepEqual([s.corpus, s.shards, s.shardsReused, s.rowsWritten, s.columns], [N, 1, 0, Q, 'ids']);
  assert.deepEqual(JSON.parse(readFileSync(summaryPath(path('out.jsonl')), 'utf8')).dropped, s.dropped);
});

test('shards merged give the same output as one pass; a resumed run reuses finished shards', () => {
  mine({ ...base, output: path('one.jsonl'), negatives: 4, shardSize: 1000 });
  assert.equal(existsSync(`${path('one.jsonl')}.shards`), false, 'a finished run removes its shards');
  const { summary: first } = mine({ ...base, output: path('sharded.jsonl'), negatives: 4, shardSize: 17, keepShards: true });
  assert.equal(first.shards, Math.ceil(N / 17));
  assert.equal(readFileSync(path('sharded.jsonl'), 'utf8'), readFileSync(path('one.jsonl'), 'utf8'));
  const { summary: again } = mine({ ...base, output: path('sharded.jsonl'), negatives: 4, shardSize: 17, keepShards: true });
  assert.equal(again.shardsReused, again.shards);
  rmSync(join(`${path('sharded.jsonl')}.shards`, 'shard-00003.bin'));
  const { summary: partly } = mine({ ...base, output: path('sharded.jsonl'), negatives: 4, shardSize: 17, keepShards: true });
  assert.equal(partly.shardsReused, partly.shards - 1);
  assert.equal(readFileSync(path('sharded.jsonl'), 'utf8'), readFileSync(path('one.jsonl'), 'utf8'));
  // Another index or k is another fingerprint: nothing is reused.
  assert.equal(mine({ ...base, output: path('sharded.jsonl'), negatives: 4, shardSize: 17, candidates: 30 }).summary.shardsReused, 0);
});

test('filters: the rank window, the ceiling and the margins drop what they should; random sampling is seeded', () => {
  const opts: CorpusMineOptions = { ...base, output: path('f.jsonl'), negatives: 2, rangeMin: 2, rangeMax: 12, maxScore: 0.8, margin: 0.002, relativeMargin: 0.8 };
  const { summary: s } = mine(opts);
  const rows = readJsonl(path('f.jsonl'));
  for (const row of rows) {
    const q = Number(row.anchor.slice(1));
    const list = ranking(q).filter((c) => c.row !== positiveRow[q]);
    const pos = ranking(q).find((c) => c.row === positiveRow[q])!.score;
    const allowed = list.slice(2, 12).filter((c) => c.score < 0.8 && c.score < pos - 0.002 && c.score < pos * 0.8);
    assert.deepEqual([row.negative_1, row.negative_2], allowed.slice(0, 2).map((c) => String(c.row)));
  }
  assert.equal(rows.length + s.queriesWithTooFew, Q);
  assert.ok(rows.length >= 5 && s.dropped.maxScore > 0 && s.dropped.margin > 0 && s.dropped.relativeMargin > 0, JSON.stringify(s.dropped));
  const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
  assert.equal(dropped + s.keptByFilters, s.candidatesSeen);
  const { summary: r1 } = mine({ ...opts, output: path('r1.jsonl'), sampling: 'random', seed: 1 });
  mine({ ...opts, output: path('r1b.jsonl'), sampling: 'random', seed: 1 });
  mine({ ...opts, output: path('r2.jsonl'), sampling: 'random', seed: 2 });
  assert.equal(readFileSync(path('r1.jsonl'), 'utf8'), readFileSync(path('r1b.jsonl'), 'utf8'));
  assert.notEqual(readFileSync(path('r1.jsonl'), 'utf8'), readFileSync(path('r2.jsonl'), 'utf8'));
  assert.equal(r1.keptByFilters, s.keptByFilters);
});

test('texts through the hashed encoder, labels, and texts in the output columns', () => {
  const docs = ['dog, domestic dog', 'wolf, gray wolf', 'domestic cat, house cat', 'fox', 'dogfish', 'hot dog, frankfurter', 'cat, true cat'];
  write('c.jsonl', docs.map((t, i) => JSON.stringify({ id: `d${i}`, text: t, label: i === 4 ? 'fish' : 'animal' })).join('\n'));
  write('q.jsonl', `${JSON.stringify({ id: 'q', text: 'a domesticated dog', label: 'fish' })}\n`);
  write('qr.jsonl', `${JSON.stringify({ query_id: 'q', corpus_id: 'd0' })}\n`);
  const enc = new HashedTextEncoder({ buckets: 4096, dim: 16, hidden: 0 }, new Rng(0));
  const encoder = { dim: 16, encode: (t: string[]) => enc.encode(t), fingerprint: 'test' };
  const opts = { queries: path('q.jsonl'), corpus: path('c.jsonl'), qrels: path('qr.jsonl'), encoder, negatives: 6 };
  const { summary: s } = mine({ ...opts, output: path('t.jsonl') });
  const [row] = readJsonl(path('t.jsonl'));
  assert.equal(row.anchor, 'a domesticated dog');
  assert.equal(row.positive, 'dog, domestic dog');
  assert.deepEqual(Object.values(row).slice(2).sort(), docs.slice(1).sort());
  assert.equal(s.columns, 'text');
  // With labels the same-label document (dogfish, 'fish') is dropped, leaving 5 < 6: no row.
  const { summary: l } = mine({ ...opts, output: path('l.jsonl'), labels: true });
  assert.deepEqual([l.dropped.label, l.rowsWritten, l.queriesWithTooFew], [1, 0, 1]);
  assert.equal(mine({ ...opts, output: path('i.jsonl'), negatives: 2, ids: true }).summary.columns, 'ids');
  assert.equal(readJsonl(path('i.jsonl'))[0].positive, 'd0');
});

test('bad inputs: unknown ids in qrels, wrong dimensions, texts without an encoder, duplicate ids — with file and line', () => {
  const out = path('e.jsonl');
  write('badq.tsv', 'q0\t3\t1\nq99\t5\t1\n');
  assert.throws(() => mine({ ...base, qrels: path('badq.tsv'), output: out }), /badq\.tsv:2: unknown query id 'q99' \(not in .*queries\.jsonl\)/);
  write('badd.tsv', 'q0\t3\t1\nq1\t300\t1\n');
  assert.throws(() => mine({ ...base, qrels: path('badd.tsv'), output: out }), /badd\.tsv:2: unknown corpus id '300' \(not in .*corpus\.npy\)/);
  write('q9.jsonl', JSON.stringify({ id: 'q0', vector: [1, 2, 3, 4, 5, 6, 7, 8, 9] }));
  assert.throws(() => mine({ ...base, queries: path('q9.jsonl'), output: out }), /corpus\.npy: vectors have dimension 8, but those of .*q9\.jsonl have 9/);
  write('qt.jsonl', JSON.stringify({ id: 'q0', text: 'hello' }));
  assert.throws(() => mine({ ...base, queries: path('qt.jsonl'), output: out }), /qt\.jsonl holds texts but .*corpus\.npy holds vectors/);
  write('ct.jsonl', '{"id": "3", "text": "a"}\n{"id": "4", "text": "b"}\n{"id": "3", "text": "c"}\n');
  write('q1.tsv', 'q0\t3\t1\n');
  assert.throws(() => mine({ ...base, queries: path('qt.jsonl'), corpus: path('ct.jsonl'), qrels: path('q1.tsv'), output: out }), /an encoder is needed/);
  const enc = new HashedTextEncoder({ buckets: 512, dim: 4, hidden: 0 }, new Rng(0));
  const encoder = { dim: 4, encode: (t: string[]) => enc.encode(t), fingerprint: 'test' };
  assert.throws(() => mine({ ...base, queries: path('qt.jsonl'), corpus: path('ct.jsonl'), qrels: path('q1.tsv'), output: out, encoder }), /ct\.jsonl:3: duplicate id '3' \(first on line 1\)/);
});
