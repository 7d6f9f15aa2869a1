/**
 * Query and corpus files for mining, read as a stream of records:
 * - JSONL, one record a line: `{"id": …, "text": "…"}` (encoded by a text encoder) or
 *   `{"id": …, "vector": [ … ]}` (precomputed; a `text` beside it is kept for the output), with an
 *   optional `"label"`. Blank lines are skipped. The first record decides text or vector, and
 *   every vector must have the first one's dimension.
 * - NPY (`.npy`, `[rows, dim]` float32): record `r` has id `"r"` and no text.
 * Every error names the file and the line (or row).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { openNpy, readRows, type NpyMatrix } from './vectorFile.js';

export interface RecordItem {
  /** Position in the file, from 0 (blank lines not counted). */
  row: number;
  id: string;
  /** Line number in the file (NPY: row + 1). */
  line: number;
  text?: string;
  vector?: Float32Array;
  label?: string;
}

/** Consecutive records; with vector content, their vectors as one row-major `[n, dim]` array. */
export interface Batch {
  items: RecordItem[];
  vectors?: Float32Array;
}

export interface RecordCursor {
  /** Up to `n` next records (none at the end of the file). */
  take(n: number): Batch;
  /** Passes over up to `n` records without parsing them; returns how many it passed. */
  skip(n: number): number;
  /** Bytes of the file consumed so far. */
  readonly bytesRead: number;
  close(): void;
}

export interface RecordFile {
  path: string;
  bytes: number;
  /** What the records carry: texts to encode, or vectors. */
  content: 'text' | 'vector';
  /** Vector dimension (content 'vector'). */
  dim?: number;
  open(): RecordCursor;
}

export function openRecords(path: string): RecordFile {
  if (path.endsWith('.npy')) return npyRecords(openNpy(path));
  let bytes: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    bytes = stat.size;
  } catch (err) {
    throw new Error(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  const probe = new LineReader(path);
  let first: { text: string; lineNo: number } | undefined;
  try {
    first = probe.nextNonBlank();
  } finally {
    probe.close();
  }
  if (first === undefined) throw new Error(`${path}: no records (the file is empty)`);
  const record = parseJson(first.text, `${path}:${first.lineNo}`);
  const content = record.vector !== undefined ? 'vector' : 'text';
  const dim = content === 'vector' ? parseItem(record, path, first.lineNo, 0, 'vector', undefined).vector!.length : undefined;
  return {
    path,
    bytes,
    content,
    dim,
    open() {
      const reader = new LineReader(path);
      let row = 0;
      return {
        take(n) {
          const items: RecordItem[] = [];
          while (items.length < n) {
            const line = reader.nextNonBlank();
            if (line === undefined) break;
            items.push(parseItem(parseJson(line.text, `${path}:${line.lineNo}`), path, line.lineNo, row++, content, dim));
          }
          if (content === 'text') return { items };
          const vectors = new Float32Array(items.length * dim!);
          items.forEach((item, i) => {
            vectors.set(item.vector!, i * dim!);
            delete item.vector;
          });
          return { items, vectors };
        },
        skip(n) {
          let passed = 0;
          while (passed < n && reader.nextNonBlank() !== undefined) passed++;
          row += passed;
          return passed;
        },
        get bytesRead() {
          return reader.bytesRead;
        },
        close: () => reader.close(),
      };
    },
  };
}

function npyRecords(npy: NpyMatrix): RecordFile {
  return {
    path: npy.path,
    bytes: npy.dataOffset + npy.rows * npy.dim * 4,
    content: 'vector',
    dim: npy.dim,
    open() {
      let row = 0;
      return {
        take(n) {
          const end = Math.min(npy.rows, row + n);
          const vectors = readRows(npy, row, end);
          for (let i = 0; i < vectors.length; i++) {
            if (!Number.isFinite(vectors[i])) throw new Error(`${npy.path}: row ${row + Math.floor(i / npy.dim)} holds NaN or Inf`);
          }
          const items = Array.from({ length: end - row }, (_, i) => ({ row: row + i, id: String(row + i), line: row + i + 1 }));
          row = end;
          return { items, vectors };
        },
        skip(n) {
          const passed = Math.min(n, npy.rows - row);
          row += passed;
          return passed;
        },
        get bytesRead() {
          return npy.dataOffset + row * npy.dim * 4;
        },
        close() {},
      };
    },
  };
}

type Json = Record<string, unknown>;

function parseJson(text: string, where: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: malformed JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: expected a JSON object, got ${text.slice(0, 40)}`);
  return value as Json;
}

function parseItem(record: Json, path: string, lineNo: number, row: number, content: 'text' | 'vector', dim: number | undefined): RecordItem {
  const where = `${path}:${lineNo}`;
  const { id, text, vector, label } = record;
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))) throw new Error(`${where}: record needs an "id" (string or number)`);
  if (text !== undefined && typeof text !== 'string') throw new Error(`${where}: "text" must be a string`);
  if (label !== undefined && !(typeof label === 'string' || typeof label === 'number')) throw new Error(`${where}: "label" must be a string or a number`);
  const item: RecordItem = { row, id: String(id), line: lineNo, text, label: label === undefined ? undefined : String(label) };
  if (content === 'text') {
    if (text === undefined) throw new Error(`${where}: record needs a "text" (the file's first record has one and no "vector")`);
    return item;
  }
  if (!Array.isArray(vector)) throw new Error(`${where}: record needs a "vector" (an array of numbers), as the file's first record has`);
  if (dim !== undefined && vector.length !== dim) throw new Error(`${where}: vector has ${vector.length} values, expected ${dim} (the dimension of the file's first vector)`);
  if (vector.length === 0) throw new Error(`${where}: vector is empty`);
  const values = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const v = vector[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: vector value ${i} is not a finite number (${JSON.stringify(v)})`);
    values[i] = v;
  }
  item.vector = values;
  return item;
}

/** Lines of a file read in 1 MB chunks; `\r\n` endings are accepted. */
class LineReader {
  private fd: number;
  private chunk = Buffer.alloc(1 << 20);
  private pending: Buffer = Buffer.alloc(0);
  private position = 0;
  private consumed = 0;
  private lineNo = 0;
  private ended = false;

  constructor(path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (err) {
      throw new Error(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
    }
  }

  get bytesRead(): number {
    return this.consumed;
  }

  /** The next line that is not blank, with its number, or undefined at the end of the file. */
  nextNonBlank(): { text: string; lineNo: number } | undefined {
    for (;;) {
      const line = this.nextLine();
      if (line === undefined) return undefined;
      if (line.trim() !== '') return { text: line, lineNo: this.lineNo };
    }
  }

  private nextLine(): string | undefined {
    for (;;) {
      const newline = this.pending.indexOf(10);
      if (newline >= 0 || (this.ended && this.pending.length > 0)) {
        const end = newline >= 0 ? newline : this.pending.length;
        const text = this.pending.toString('utf8', 0, end > 0 && this.pending[end - 1] === 13 ? end - 1 : end);
        this.pending = this.pending.subarray(Math.min(this.pending.length, end + 1));
        this.consumed += end + 1;
        this.lineNo++;
        return text;
      }
      if (this.ended) return undefined;
      const got = readSync(this.fd, this.chunk, 0, this.chunk.length, this.position);
      this.position += got;
      if (got === 0) this.ended = true;
      else this.pending = this.pending.length === 0 ? Buffer.from(this.chunk.subarray(0, got)) : Buffer.concat([this.pending, this.chunk.subarray(0, got)]);
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
