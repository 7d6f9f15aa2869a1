/**
 * Mining under interruptions and concurrency: a corrupted shard of the right size is detected by
 * its checksum and computed again (with a warning), a second run to the same output is refused
 * while the first holds it, shards and temporary files are removed after success, and orphans of
 * a killed run at the next start.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { writeNpy } from '../../src/data/npyWrite.js';
import { Rng } from '../../src/engine/random.js';
import { mine } from '../../src/mining/mine.js';
import { LockError } from '../../src/util/lock.js';
import { setup } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hardneg-mine-robust-'));
const path = (name: string) => join(dir, name);
const [N, Q, D] = [200, 8, 6];
const rng = new Rng(4);
const corpus = rng.normalArray(N * D);
const base = { queries: path('queries.npy'), corpus: path('corpus.npy'), qrels: path('qrels.tsv'), negatives: 3, shardSize: 50 };

before(async () => {
  await setup('wasm');
  writeNpy(path('corpus.npy'), corpus, [N, D]);
  writeNpy(path('queries.npy'), Float32Array.from(corpus.subarray(0, Q * D), (v) => v + 0.3 * rng.normal()), [Q, D]);
  writeFileSync(path('qrels.tsv'), Array.from({ length: Q }, (_, q) => `${q}\t${q}\t1\n`).join(''));
});

test('a shard altered at the right size is detected, reported and computed again; the output is unchanged', () => {
  const output = path('a.jsonl');
  mine({ ...base, output, keepShards: true });
  const expected = readFileSync(output, 'utf8');
  const shard = join(`${output}.shards`, 'shard-00002.bin');
  const bytes = readFileSync(shard);
  bytes[bytes.length - 5] ^= 0xff; // one score byte
  writeFileSync(shard, bytes);
  const warnings: string[] = [];
  const { summary } = mine({ ...base, output, warn: (m) => warnings.push(m) });
  assert.deepEqual(warnings, [`warning: ${shard} is corrupt (its checksum differs from its header's); computing shard 2 again`]);
  assert.equal(summary.shardsReused, summary.shards - 1);
  assert.equal(readFileSync(output, 'utf8'), expected);
  assert.equal(existsSync(`${output}.shards`), false, 'shards removed after success');
});

test('a second run to the same output is refused while the first holds its lock; orphans of a dead run are removed', () => {
  const output = path('b.jsonl');
  const holder = spawn('sleep', ['30']);
  try {
    writeFileSync(`${output}.lock`, `${holder.pid}\n`);
    assert.throws(() => mine({ ...base, output }), (e: Error) => e instanceof LockError && e.message.startsWith(`mining output ${output} is in use by process ${holder.pid} (lock ${output}.lock)`));
  } finally {
    holder.kill();
  }
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(`${output}.lock`, `${dead}\n`);
  writeFileSync(path(`.b.jsonl.${dead}.tmp`), '{"anchor": "cut sh');
  mine({ ...base, output });
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('b.') || f.startsWith('.b.')).sort(), ['b.jsonl', 'b.summary.json']);
});
