import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RUN_FILES, checkRunDir, loadRun, uniqueNames } from '../../src/report/runReader.js';
import { npyBytes, writeRun } from './runFixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hardneg-rundir-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('loads every file of a run directory', async () => {
  const run = await loadRun(writeRun(dir, { name: 'full', epochs: 3, rows: 40, classes: 4, dim: 8 }));
  assert.equal(run.name, 'full');
  assert.deepEqual(run.missing, []);
  assert.equal(run.config?.task, 'moco');
  assert.deepEqual(run.metrics?.map((r) => r.epoch), [1, 2, 3]);
  assert.equal(run.metrics?.[2].loss, 2.9);
  assert.ok(Math.abs(run.metrics![0].proxy_acc - (0.6 + 0.35 / 3)) < 1e-12);
  assert.equal(run.final?.knn_top1, 0.92);
  assert.equal(run.hardness?.epoch, 3);
  assert.deepEqual(Object.keys(run.hardness!.groups), ['queue', 'hardest', 'mixed', 'query_mixed', 'positive']);
  assert.equal(run.hardness!.groups.hardest!.length, 640);
  assert.deepEqual([run.embeddings?.rows, run.embeddings?.dim, run.embeddings?.data.length], [40, 8, 320]);
  assert.deepEqual(Array.from(run.labels!.slice(0, 6)), [0, 1, 2, 3, 0, 1]);
});

test('missing files are listed, not errors; the name falls back to the directory', async () => {
  const path = writeRun(dir, { name: 'partial', omit: ['config.json', 'hardness.json', 'test-labels.npy'] });
  const run = await loadRun(path);
  assert.equal(run.name, 'partial');
  assert.deepEqual(run.missing, ['config.json', 'hardness.json', 'test-labels.npy']);
  assert.equal(run.config, undefined);
  assert.equal(run.hardness, undefined);
  assert.ok(run.embeddings !== undefined && run.labels === undefined);
  assert.deepEqual(checkRunDir(path), run.missing);
});

test('a resumed run that logged an epoch twice: the last line wins, epochs ascending', async () => {
  const path = writeRun(dir, { name: 'resumed', rows: 5, classes: 1, dim: 2 });
  writeFileSync(join(path, 'metrics.jsonl'), ['{"epoch": 1, "loss": 3}', '{"epoch": 2, "loss": 2.5, "note": "x"}', '', '{"epoch": 2, "loss": 2}', '{"epoch": 3, "loss": 1.5}'].join('\n'));
  const run = await loadRun(path);
  assert.deepEqual(run.metrics, [{ epoch: 1, loss: 3 }, { epoch: 2, loss: 2 }, { epoch: 3, loss: 1.5 }]);
});

test('a path that is not a run directory is a one-line error', async () => {
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const file = join(dir, 'file.txt');
  writeFileSync(file, 'x');
  await assert.rejects(loadRun(join(dir, 'nope')), /^DataError: report: .*nope: no such directory$/);
  await assert.rejects(loadRun(file), /file\.txt: not a directory/);
  await assert.rejects(loadRun(empty), new RegExp(`empty is not a run directory \\(it has none of ${RUN_FILES.join(', ')}`));
});

test('malformed files are one-line errors naming the file (and line)', async () => {
  const bad = (name: string, file: string, content: string | Uint8Array) => {
    const path = writeRun(dir, { name, rows: 10, classes: 2, dim: 4 });
    writeFileSync(join(path, file), content);
    return loadRun(path);
  };
  await assert.rejects(bad('m1', 'metrics.jsonl', '{"epoch": 1, "loss": 2}\n{"loss": 1}\n'), /metrics\.jsonl line 2: expected an integer "epoch" >= 1, got undefined/);
  await assert.rejects(bad('m2', 'metrics.jsonl', '{"epoch": 1}\n{oops\n'), /metrics\.jsonl line 2: invalid JSON/);
  await assert.rejects(bad('f', 'final.json', '[1, 2]'), /final\.json: expected a JSON object/);
  await assert.rejects(bad('c', 'config.json', '{'), /config\.json: invalid JSON/);
  await assert.rejects(bad('h', 'hardness.json', '{"queue": [0.1, "x"]}'), /hardness\.json: "queue" must be an array of finite numbers/);
  await assert.rejects(bad('l', 'test-labels.npy', npyBytes(new Int32Array(7), [7])), /test-labels\.npy: 7 labels for 10 test embeddings/);
  await assert.rejects(bad('e', 'test-embeddings.npy', npyBytes(new Float32Array([1, NaN, 0, 0]), [2, 2])), /test-embeddings\.npy: value NaN at index 1 is not finite/);
  await assert.rejects(bad('e2', 'test-embeddings.npy', npyBytes(new Float32Array(10), [10])), /expected embeddings \[n, D\], got shape \[10\]/);
});

test('duplicate run names are made unique', async () => {
  const a = await loadRun(writeRun(join(dir, 'x'), { name: 'same', rows: 5, classes: 1, dim: 2 }));
  const b = await loadRun(writeRun(join(dir, 'y'), { name: 'same', rows: 5, classes: 1, dim: 2 }));
  const runs = [a, b];
  uniqueNames(runs);
  assert.deepEqual(runs.map((r) => r.name), ['same', 'same (2)']);
});
