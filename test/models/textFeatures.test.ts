import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashString, textFeatures, tokenize } from '../../src/models/textFeatures.js';

// Expected values computed by an independent Python implementation of FNV-1a + murmur3 fmix32
// (salts: words 0x9e3779b9, pairs 0x85ebca6b, character n-grams 0xc2b2ae35).
test('hashString: FNV-1a with the murmur3 finaliser, salted', () => {
  assert.equal(hashString('dog', 0, 3, 0), 2_443_789_735);
  assert.equal(hashString('dog', 0, 3, 0x9e3779b9), 417_092_849);
  assert.equal(hashString('<dog>', 0, 3, 0xc2b2ae35), 3_041_250_578);
  assert.equal(hashString('', 0, 0, 0), 2_872_998_923);
  assert.equal(hashString('a dog b', 2, 5, 0), hashString('dog', 0, 3, 0));
});

test('textFeatures: word, word pair and character 3–5-gram buckets, in order', () => {
  assert.deepEqual(
    Array.from(textFeatures('Hot dog!')),
    [124634, 109290, 162981, 215449, 96789, 157602, 15105, 21745, 187365, 118034, 186886, 64301, 189789, 169815, 9037],
  );
  assert.deepEqual(
    Array.from(textFeatures('Hot dog!', { seed: 7 })),
    [241643, 139753, 103699, 258993, 3064, 35511, 80412, 203531, 27474, 1804, 226020, 30382, 53913, 28725, 236798],
  );
});

test('feature counts follow the options; buckets bound the ids; case and punctuation do not matter', () => {
  // "<dog>": 3 trigrams, 2 four-grams, 1 five-gram, plus the word.
  assert.equal(textFeatures('dog').length, 7);
  assert.equal(textFeatures('dog', { charMax: 0 }).length, 1);
  assert.equal(textFeatures('dog', { charMin: 3, charMax: 3 }).length, 4);
  assert.equal(textFeatures('a dog', { charMax: 0, wordNgrams: 2 }).length, 3);
  assert.equal(textFeatures('a dog', { charMax: 0, wordNgrams: 1 }).length, 2);
  assert.equal(textFeatures('').length, 0);
  assert.deepEqual(textFeatures('Domestic DOG.'), textFeatures('domestic dog'));
  const ids = textFeatures('the quick brown fox jumps over the lazy dog', { buckets: 97 });
  assert.ok(ids.every((id) => id >= 0 && id < 97));
  assert.deepEqual(tokenize("Canis familiaris (dog's)"), ['canis', 'familiaris', 'dog', 's']);
  assert.deepEqual(tokenize('café über 42'), ['café', 'über', '42']);
});
