/**
 * The finished corpus shards of a mining run, kept on disk so that an interrupted run resumes
 * where it stopped: shard i holds the per-query top-k of corpus rows [i·S, (i+1)·S). Each file
 * carries the run's fingerprint (inputs, encoder, index, k, shard size); a shard made under
 * another fingerprint is computed again. The lists do not depend on the qrels or the filters, so
 * re-filtering a mined corpus never searches it again.
 *
 * File: "HNSH" | u32 header length | header JSON | rows Int32 `[Q, k]` | scores Float32 `[Q, k]`.
 * The header holds the SHA-256 of the rows and scores: a shard whose bytes were altered (even at
 * the right size) is reported through `warn` and computed again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeOrphanTemps, writeFileAtomic } from '../util/atomicWrite.js';
import type { TopK } from './topK.js';

const MAGIC = 'HNSH';

export interface ShardHeader {
  fingerprint: unknown;
  shard: number;
  /** Corpus rows [start, end) the shard covered. */
  start: number;
  end: number;
  queries: number;
  k: number;
  /** SHA-256 (hex) of the rows and scores bytes. */
  sha256?: string;
}

const SHARD_FILE = /^shard-\d{5}\.bin$/;

export class ShardStore {
  private readonly key: string;

  constructor(
    readonly dir: string,
    fingerprint: unknown,
    private readonly warn: (message: string) => void = console.warn,
  ) {
    this.key = JSON.stringify(fingerprint);
    removeOrphanTemps(dir);
  }

  pathOf(shard: number): string {
    return join(this.dir, `shard-${String(shard).padStart(5, '0')}.bin`);
  }

  /** The stored lists of `shard` and the rows it covered, if it was finished under this fingerprint. */
  load(shard: number): { top: TopK; start: number; end: number } | undefined {
    const path = this.pathOf(shard);
    if (!existsSync(path)) return undefined;
    const bytes = readFileSync(path);
    if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== MAGIC) return undefined;
    const length = bytes.readUInt32LE(4);
    let header: ShardHeader;
    try {
      header = JSON.parse(bytes.toString('utf8', 8, 8 + length)) as ShardHeader;
    } catch {
      return undefined;
    }
    if (JSON.stringify(header.fingerprint) !== this.key || header.shard !== shard) return undefined;
    const slots = header.queries * header.k;
    const at = 8 + length;
    if (bytes.length !== at + 8 * slots) return undefined;
    if (header.sha256 !== createHash('sha256').update(bytes.subarray(at)).digest('hex')) {
      this.warn(`warning: ${path} is corrupt (its checksum differs from its header's); computing shard ${shard} again`);
      return undefined;
    }
    const rows = new Int32Array(slots);
    const scores = new Float32Array(slots);
    new Uint8Array(rows.buffer).set(bytes.subarray(at, at + 4 * slots));
    new Uint8Array(scores.buffer).set(bytes.subarray(at + 4 * slots, at + 8 * slots));
    return { top: { k: header.k, rows, scores }, start: header.start, end: header.end };
  }

  save(shard: number, start: number, end: number, top: TopK): void {
    const payload = Buffer.concat([new Uint8Array(top.rows.buffer, top.rows.byteOffset, top.rows.byteLength), new Uint8Array(top.scores.buffer, top.scores.byteOffset, top.scores.byteLength)]);
    const sha256 = createHash('sha256').update(payload).digest('hex');
    const header: ShardHeader = { fingerprint: JSON.parse(this.key), shard, start, end, queries: top.rows.length / top.k, k: top.k, sha256 };
    let text = JSON.stringify(header);
    text += ' '.repeat((4 - ((8 + Buffer.byteLength(text)) % 4)) % 4);
    const head = Buffer.from(text, 'utf8');
    const out = Buffer.alloc(8 + head.length + 8 * top.rows.length);
    out.write(MAGIC, 0, 'latin1');
    out.writeUInt32LE(head.length, 4);
    head.copy(out, 8);
    out.set(payload, 8 + head.length);
    writeFileAtomic(this.pathOf(shard), out);
  }

  /** Removes the shard files (and the directory, when that leaves it empty): the run is finished. */
  clear(): void {
    if (!existsSync(this.dir)) return;
    for (const entry of readdirSync(this.dir)) if (SHARD_FILE.test(entry)) rmSync(join(this.dir, entry), { force: true });
    removeOrphanTemps(this.dir);
    if (readdirSync(this.dir).length === 0) rmdirSync(this.dir);
  }
}
