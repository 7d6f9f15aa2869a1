/**
 * The WordNet reverse-dictionary retrieval task: the query is a noun synset's definition (its
 * gloss without the quoted examples), the relevant document is its lemmas joined by ", "
 * (`dog, domestic dog, Canis familiaris`). Synsets with the same lemma list share one document
 * (the corpus holds distinct texts), so a polysemous word's senses all point at it.
 *
 * Queries are split by synset into train/dev/test with a seeded permutation. WordNet's hierarchy
 * grades hard negatives: co-hyponyms (siblings under a common hypernym, level 1) are the hardest,
 * cousins (a common grandparent, level 2) next. Documents that share a lemma with the positive
 * (`bank` vs `bank, depository financial institution`) are false-negative traps: a miner should
 * never hand them to the loss as negatives.
 */
import { Rng } from '../engine/random.js';
import { definitionOf, readNounSynsets, type Synset } from './wordnet.js';

export interface ReverseDictionaryOptions {
  /** Seed of the split (default 0). */
  seed?: number;
  /** Training queries (default 20,000; `Infinity`: every synset not in dev or test). */
  train?: number;
  /** Dev queries (default 1,000). */
  dev?: number;
  /** Test queries (default 1,000). */
  test?: number;
}

export interface RetrievalQuery {
  /** `<offset>-n`, e.g. `02086723-n` for dog.n.01. */
  id: string;
  /** The synset's definition. */
  text: string;
  /** Index of the relevant document in `docs`. */
  doc: number;
}

export interface RetrievalDocument {
  /** `doc-<offset>`: the offset of the first synset with these lemmas. */
  id: string;
  /** Lemmas joined by ", ". */
  text: string;
}

export interface ReverseDictionary {
  /** One query per noun synset, in `data.noun` order. */
  queries: RetrievalQuery[];
  /** Distinct lemma lists. */
  docs: RetrievalDocument[];
  /** Indices into `queries`. */
  split: { train: number[]; dev: number[]; test: number[] };
  /**
   * Documents of the query's co-hyponyms: level 1 = siblings (a hypernym in common), level 2 =
   * cousins (a grandparent in common, no parent). The query's own document is left out.
   */
  coHyponyms(query: number, level: 1 | 2): number[];
  /** Documents other than `doc` that share a lemma with it (case-insensitive). */
  lemmaOverlaps(doc: number): number[];
}

export function reverseDictionary(options: ReverseDictionaryOptions = {}, synsets: Synset[] = readNounSynsets()): ReverseDictionary {
  const { seed = 0, train = 20_000, dev = 1_000, test = 1_000 } = options;
  for (const [name, n] of [['train', train], ['dev', dev], ['test', test]] as const) {
    if (!(n === Infinity || (Number.isInteger(n) && n >= 0))) throw new Error(`reverseDictionary: ${name} must be an integer >= 0, got ${n}`);
  }
  if (dev + test > synsets.length) {
    throw new Error(`reverseDictionary: dev + test = ${dev + test} is more than the ${synsets.length} synsets`);
  }

  const docs: RetrievalDocument[] = [];
  const docWords: string[][] = [];
  const docOfText = new Map<string, number>();
  const queries: RetrievalQuery[] = [];
  const indexOfOffset = new Map<number, number>();
  for (const s of synsets) {
    const text = s.words.join(', ');
    let doc = docOfText.get(text);
    if (doc === undefined) {
      doc = docs.length;
      docOfText.set(text, doc);
      docs.push({ id: `doc-${pad(s.offset)}`, text });
      docWords.push(s.words);
    }
    indexOfOffset.set(s.offset, queries.length);
    queries.push({ id: `${pad(s.offset)}-n`, text: definitionOf(s.gloss), doc });
  }

  // Parents (hypernyms and instance hypernyms) and children, as synset indices.
  const parents = synsets.map((s) => [...s.hypernyms, ...s.instanceOf].map((o) => indexOfOffset.get(o)).filter((i) => i !== undefined));
  const children: number[][] = synsets.map(() => []);
  parents.forEach((ps, i) => ps.forEach((p) => children[p].push(i)));

  const docsByLemma = new Map<string, number[]>();
  docWords.forEach((words, doc) => {
    for (const w of words) {
      const key = w.toLowerCase();
      const list = docsByLemma.get(key) ?? docsByLemma.set(key, []).get(key)!;
      if (list[list.length - 1] !== doc) list.push(doc);
    }
  });

  const order = new Rng(seed).permutation(synsets.length);
  const nTrain = Math.min(train, synsets.length - dev - test);
  const split = {
    test: Array.from(order.subarray(0, test)),
    dev: Array.from(order.subarray(test, test + dev)),
    train: Array.from(order.subarray(test + dev, test + dev + nTrain)),
  };

  return {
    queries,
    docs,
    split,
    coHyponyms(query, level) {
      const near = new Set<number>([query]);
      const siblings = new Set<number>();
      for (const p of parents[query]) for (const c of children[p]) siblings.add(c);
      let found = siblings;
      if (level === 2) {
        siblings.forEach((s) => near.add(s));
        found = new Set<number>();
        for (const p of parents[query]) for (const g of parents[p]) for (const u of children[g]) for (const c of children[u]) found.add(c);
      } else if (level !== 1) {
        throw new Error(`coHyponyms: level must be 1 or 2, got ${level}`);
      }
      const own = queries[query].doc;
      return [...new Set([...found].filter((i) => !near.has(i)).map((i) => queries[i].doc))].filter((d) => d !== own);
    },
    lemmaOverlaps(doc) {
      const out = new Set<number>();
      for (const lemma of docWords[doc]) for (const d of docsByLemma.get(lemma.toLowerCase()) ?? []) out.add(d);
      out.delete(doc);
      return [...out];
    },
  };
}

function pad(offset: number): string {
  return String(offset).padStart(8, '0');
}
