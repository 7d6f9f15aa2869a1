import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeNpy } from '../../src/data/npyWrite.js';
import { Rng } from '../../src/engine/random.js';

/** Runs the built CLI (`npm test` builds dist first). */
function hardneg(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/hardneg.js', ...args], { encoding: 'utf8', env: { ...process.env, HARDNEG_BACKEND: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * 600 documents in 60 clusters; query i is a fixed random linear map of document i plus noise, so
 * raw query vectors rank their document poorly and a linear adapter can undo the map.
 */
function writeVectors(dir: string): void {
  const rng = new Rng(4);
  const [D, n] = [16, 600];
  const centres = rng.normalArray(60 * D);
  const docs = Float32Array.from({ length: n * D }, (_, x) => centres[(Math.floor(x / D) % 60) * D + (x % D)] + 0.5 * rng.normal());
  const map = rng.normalArray(D * D);
  const queries = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    for (let e = 0; e < D; e++) {
      let v = 0.1 * rng.normal();
      for (let d = 0; d < D; d++) v += docs[i * D + d] * (0.5 * map[d * D + e] + (d === e ? 1 : 0));
      queries[i * D + e] = v;
    }
  }
  writeNpy(join(dir, 'corpus.npy'), docs, [n, D]);
  writeFileSync(join(dir, 'queries.jsonl'), Array.from({ length: n }, (_, i) => JSON.stringify({ id: `q${i}`, vector: Array.from(queries.subarray(i * D, (i + 1) * D)) })).join('\n'));
  writeFileSync(join(dir, 'qrels.tsv'), 'query-id\tcorpus-id\tscore\n' + Array.from({ length: n }, (_, i) => `q${i}\t${i}\t1`).join('\n'));
}

test('train-adapter improves held-out Recall@10 over the raw vectors and saves the adapter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hardneg-adapter-'));
  try {
    writeVectors(dir);
    const files = ['--queries', join(dir, 'queries.jsonl'), '--corpus', join(dir, 'corpus.npy'), '--qrels', join(dir, 'qrels.tsv')];
    const r = hardneg('train-adapter', ...files, '-o', join(dir, 'adapter.safetensors'), '--epochs', '8', '--batch', '32', '--lr', '0.01', '--candidates', '20', '--json');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /held out 120 queries \(trained on 480 pairs\), ranked against 600 documents/);
    const last = JSON.parse(r.out.trim().split('\n').pop()!);
    assert.ok(last.adapted['recall@10'] > last.raw['recall@10'] + 0.1, `Recall@10 ${last.raw['recall@10']} → ${last.adapted['recall@10']}`);

    writeFileSync(join(dir, 'bad.tsv'), 'q1\t1\t1\nq2\tnope\t1\n');
    const bad = hardneg('train-adapter', ...files.slice(0, 4), '--qrels', join(dir, 'bad.tsv'), '-o', join(dir, 'x.safetensors'));
    assert.equal(bad.code, 1);
    assert.match(bad.err.trim(), /bad\.tsv:2: corpus id 'nope' is not in .*corpus\.npy$/);
    writeFileSync(join(dir, 'texts.jsonl'), '{"id":"a","text":"hello"}\n');
    const texts = hardneg('train-adapter', '--queries', join(dir, 'texts.jsonl'), ...files.slice(2), '-o', join(dir, 'x.safetensors'));
    assert.match(texts.err.trim(), /texts\.jsonl: records need a "vector"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
