/**
 * Relevance judgements (qrels) for mining and evaluation, in the usual layouts:
 * - BEIR TSV: `query-id<TAB>corpus-id<TAB>score`, with or without its header line;
 * - TREC: `query-id 0 corpus-id score` (whitespace separated);
 * - JSONL (`.jsonl`): `{"query_id": …, "corpus_id": …, "score": …}` (score default 1).
 * Pairs with score > 0 are positives. Errors name the file and the line.
 */
import { readFileSync } from 'node:fs';

/** Query id → (doc id → grade > 0). */
export type Qrels = Map<string, Map<string, number>>;

export interface Judgement {
  query: string;
  doc: string;
  grade: number;
  line: number;
}

export function readQrels(path: string): Judgement[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  const json = path.endsWith('.jsonl');
  const out: Judgement[] = [];
  let first = true;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const isFirst = first;
    first = false;
    const where = `${path}:${i + 1}`;
    if (json) {
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(line) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`${where}: malformed JSON (${(err as Error).message})`, { cause: err });
      }
      const grade = r.score === undefined ? 1 : Number(r.score);
      if (!isId(r.query_id) || !isId(r.corpus_id)) throw new Error(`${where}: qrels record needs "query_id" and "corpus_id" (strings or numbers)`);
      if (!Number.isFinite(grade)) throw new Error(`${where}: "score" must be a number`);
      out.push({ query: String(r.query_id), doc: String(r.corpus_id), grade, line: i + 1 });
      return;
    }
    const fields = line.includes('\t') ? line.split('\t').map((f) => f.trim()) : line.trim().split(/\s+/);
    if (fields.length !== 3 && fields.length !== 4) {
      throw new Error(`${where}: expected 'query-id<TAB>corpus-id<TAB>score' (or TREC 'query-id 0 corpus-id score'), got ${fields.length} fields`);
    }
    const [query, doc, score] = fields.length === 3 ? fields : [fields[0], fields[2], fields[3]];
    if (isFirst && !Number.isFinite(Number(score))) return; // a header line
    if (!Number.isFinite(Number(score))) throw new Error(`${where}: score '${score}' is not a number`);
    out.push({ query, doc, grade: Number(score), line: i + 1 });
  });
  if (out.length === 0) throw new Error(`${path}: no judgements`);
  return out;
}

/** query → (doc → grade), as `retrievalMetrics` takes them. */
export function qrelsMap(judgements: Judgement[]): Qrels {
  const map: Qrels = new Map();
  for (const j of judgements) {
    const docs = map.get(j.query) ?? map.set(j.query, new Map()).get(j.query)!;
    docs.set(j.doc, j.grade);
  }
  return map;
}

function isId(x: unknown): boolean {
  return typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
}
