/**
 * Hashed text features (fastText-style, Bojanowski et al. 2017): a text becomes the bucket ids of
 * its words, its word bigrams, and the character n-grams of each word with boundary marks
 * (`<dog>` → `<do`, `dog`, `og>`, `<dog`, `dog>`, `<dog>` for n = 3..5), each hashed (FNV-1a
 * with a murmur3 finaliser, salted by the seed and the feature kind) into `buckets` rows.
 * Text is lower-cased and split on anything that is not a letter or a digit.
 */
export interface TextFeatureOptions {
  /** Rows of the hashed table (default 2^18). */
  buckets?: number;
  /** Shortest and longest character n-gram (default 3 and 5; charMax 0: none). */
  charMin?: number;
  charMax?: number;
  /** 1: words only; 2: words and adjacent word pairs (default 2). */
  wordNgrams?: 1 | 2;
  /** Salt of the hash (default 0). */
  seed?: number;
}

export const DEFAULT_TEXT_FEATURES: Required<TextFeatureOptions> = { buckets: 1 << 18, charMin: 3, charMax: 5, wordNgrams: 2, seed: 0 };

const WORD = 0x9e3779b9;
const PAIR = 0x85ebca6b;
const CHARS = 0xc2b2ae35;

/** Lower-cased letter/digit runs. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Bucket ids of `text`'s features, repeats kept (a bag). */
export function textFeatures(text: string, options: TextFeatureOptions = {}): Int32Array {
  const { buckets, charMin, charMax, wordNgrams, seed } = { ...DEFAULT_TEXT_FEATURES, ...options };
  const out: number[] = [];
  const tokens = tokenize(text);
  tokens.forEach((token, t) => {
    out.push(hashString(token, 0, token.length, seed ^ WORD) % buckets);
    if (wordNgrams === 2 && t > 0) out.push(hashString(`${tokens[t - 1]} ${token}`, 0, token.length + tokens[t - 1].length + 1, seed ^ PAIR) % buckets);
    if (charMax > 0) {
      const marked = `<${token}>`;
      for (let n = charMin; n <= charMax; n++) {
        for (let i = 0; i + n <= marked.length; i++) out.push(hashString(marked, i, i + n, seed ^ CHARS) % buckets);
      }
    }
  });
  return Int32Array.from(out);
}

/** FNV-1a over UTF-16 code units `s[start..end)`, salted, then murmur3's fmix32; unsigned 32-bit. */
export function hashString(s: string, start: number, end: number, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
