import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reverseDictionary } from '../../src/experiments/reverseDictionary.js';
import { readNounSynsets } from '../../src/experiments/wordnet.js';

const synsets = readNounSynsets();
const rd = reverseDictionary({}, synsets);
const textOf = (d: number) => rd.docs[d].text;
const dog = rd.queries.findIndex((q) => q.id === '02086723-n');

test('one query per synset, one document per distinct lemma list', () => {
  assert.equal(rd.queries.length, 82_192);
  assert.equal(rd.docs.length, new Set(synsets.map((s) => s.words.join(', '))).size);
  assert.equal(rd.docs.length, 76_066);
  assert.equal(textOf(rd.queries[dog].doc), 'dog, domestic dog, Canis familiaris');
  assert.equal(rd.docs[rd.queries[dog].doc].id, 'doc-02086723');
  assert.match(rd.queries[dog].text, /^a member of the genus Canis .* occurs in many breeds$/);
  // Every sense whose only lemma is "bank" shares one document.
  const bankDocs = new Set(rd.queries.filter((_, i) => synsets[i].words.join(', ') === 'bank').map((q) => q.doc));
  assert.equal(bankDocs.size, 1);
  assert.ok(rd.queries.every((q) => q.text.length > 0 && !q.text.includes('"')));
});

test('the split: default sizes, disjoint, fixed by the seed', () => {
  const { train, dev, test: testSplit } = rd.split;
  assert.deepEqual([train.length, dev.length, testSplit.length], [20_000, 1_000, 1_000]);
  assert.equal(new Set([...train, ...dev, ...testSplit]).size, 22_000);
  const again = reverseDictionary({}, synsets);
  assert.deepEqual(again.split.test, testSplit);
  const other = reverseDictionary({ seed: 1, train: 500, dev: 10, test: 20 }, synsets);
  assert.deepEqual([other.split.train.length, other.split.dev.length, other.split.test.length], [500, 10, 20]);
  assert.notDeepEqual(other.split.test, testSplit.slice(0, 20));
  const all = reverseDictionary({ train: Infinity, dev: 100, test: 100 }, synsets);
  assert.equal(all.split.train.length, 82_192 - 200);
  assert.throws(() => reverseDictionary({ dev: 50_000, test: 50_000 }, synsets), /dev \+ test = 100000 is more than the 82192 synsets/);
  assert.throws(() => reverseDictionary({ train: -1 }, synsets), /train must be an integer >= 0, got -1/);
});

test('co-hyponyms of dog.n.01: siblings under canine and domestic animal, then cousins', () => {
  const siblings = rd.coHyponyms(dog, 1).map(textOf);
  for (const s of ['wolf', 'fox', 'jackal, Canis aureus', 'domestic cat, house cat, Felis domesticus, Felis catus']) assert.ok(siblings.includes(s), s);
  assert.ok(!siblings.includes('dog, domestic dog, Canis familiaris'));
  const cousins = rd.coHyponyms(dog, 2).map(textOf);
  assert.ok(cousins.includes('cat, true cat'));
  assert.ok(cousins.every((c) => !siblings.includes(c)));
  assert.ok(!cousins.includes('wolf'));
});

test('lemma overlaps of dog.n.01 are the other documents with the word "dog" (false-negative traps)', () => {
  const traps = rd.lemmaOverlaps(rd.queries[dog].doc).map(textOf).sort();
  assert.deepEqual(traps, [
    'andiron, firedog, dog, dog-iron',
    'cad, bounder, blackguard, dog, hound, heel',
    'dog',
    'frank, frankfurter, hotdog, hot dog, dog, wiener, wienerwurst, weenie',
    'frump, dog',
    'pawl, detent, click, dog',
  ]);
});
