import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { definitionOf, nounSenses, parseSynsetLine, readNounSynsets, wordnetDictPath } from '../../src/experiments/wordnet.js';

const synsets = readNounSynsets();
const byOffset = new Map(synsets.map((s) => [s.offset, s]));

test('data.noun holds the 82,192 noun synsets of WordNet 3.1, each at its own byte offset', () => {
  assert.equal(synsets.length, 82_192);
  const bytes = readFileSync(join(wordnetDictPath(), 'data.noun'));
  for (const s of [synsets[0], synsets[41_000], synsets[82_191]]) {
    assert.equal(bytes.toString('latin1', s.offset, s.offset + 9), `${String(s.offset).padStart(8, '0')} `);
  }
  assert.deepEqual(synsets[0].words, ['entity']);
  assert.deepEqual(synsets[0].hypernyms, []);
});

test('dog.n.01: lemmas, hypernyms canine and domestic animal, gloss and definition', () => {
  const [first] = nounSenses('dog');
  assert.equal(first, 2_086_723);
  const dog = byOffset.get(first)!;
  assert.equal(dog.lexFile, 5); // noun.animal
  assert.deepEqual(dog.words, ['dog', 'domestic dog', 'Canis familiaris']);
  assert.deepEqual(dog.hypernyms, [2_085_998, 1_320_032]);
  assert.deepEqual(byOffset.get(2_085_998)!.words, ['canine', 'canid']);
  assert.deepEqual(byOffset.get(1_320_032)!.words, ['domestic animal', 'domesticated animal']);
  assert.deepEqual(dog.instanceOf, []);
  assert.match(dog.gloss, /^a member of the genus Canis .*; "the dog barked all night"$/);
  assert.equal(
    definitionOf(dog.gloss),
    'a member of the genus Canis (probably descended from the common wolf) that has been domesticated by man since prehistoric times; occurs in many breeds',
  );
});

test('instance hypernyms (@i) are kept apart from hypernyms (@)', () => {
  const [einstein] = nounSenses('Einstein');
  const s = byOffset.get(einstein)!;
  assert.deepEqual(s.hypernyms, []);
  assert.ok(s.instanceOf.length >= 1);
  assert.ok(s.instanceOf.some((o) => byOffset.get(o)!.words.includes('physicist')));
});

test('a hand-written line: hex word count, lex ids, pointers of other parts of speech, no gloss examples', () => {
  const words = Array.from({ length: 10 }, (_, i) => `w_${i} ${i.toString(16)}`).join(' ');
  const s = parseSynsetLine(`00000042 07 n 0a ${words} 004 @ 00000001 n 0000 @i 00000002 n 0000 + 00000003 v 0101 @ 00000004 n 0000 | a test; "an example"`);
  assert.equal(s.offset, 42);
  assert.equal(s.lexFile, 7);
  assert.equal(s.words.length, 10);
  assert.equal(s.words[9], 'w 9');
  assert.deepEqual(s.hypernyms, [1, 4]);
  assert.deepEqual(s.instanceOf, [2]);
  assert.equal(definitionOf(s.gloss), 'a test');
  assert.equal(definitionOf('no examples here'), 'no examples here');
});

test('malformed lines are errors that name the place', () => {
  assert.throws(() => parseSynsetLine('00000042 07 n 02 dog 0', 'data.noun:31'), /^Error: data\.noun:31: malformed synset line \(line ends early\)/);
  assert.throws(() => parseSynsetLine('x 07 n 01 dog 0 000 | g'), /offset or lex_filenum is not a number/);
});

test('nounSenses: multi-word lemmas, case, and unknown lemmas', () => {
  assert.deepEqual(nounSenses('Domestic Dog'), [2_086_723]);
  assert.deepEqual(nounSenses('no such lemma xyz'), []);
  assert.equal(nounSenses('bank').length, 10);
});
