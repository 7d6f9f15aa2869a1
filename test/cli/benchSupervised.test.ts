import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scratchDir } from '../helpers.js';

/** Runs the built CLI (`npm test` builds dist first). */
function hardneg(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/hardneg.js', ...args], { encoding: 'utf8', env: { ...process.env, HARDNEG_BACKEND: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Row {
  dataset: string;
  init: string;
  method: string;
  shots: number;
  seed: number;
  test_top1: number;
  knn_top1: number;
  alignment: number;
  uniformity: number;
}

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!) as { bench: string; rows: Row[] };
/** 3 images per class, 2 epochs, 300 training images (for MoCo), one seed. */
const tinyWith = (seed: number) => ['bench', 'supervised', '--dataset', 'mnist', '--shots', '3', '--seeds', String(seed), '--epochs', '2', '--limit', '300'];
const tiny = tinyWith(0);

test('bench supervised --json: one row per method with numbers in range, a table on stderr; a rerun reuses finished cells', () => {
  const { dir } = scratchDir('bench-supervised');
  const out = join(dir, 'study');
  const first = hardneg(...tiny, '--from-scratch', '--methods', 'ce', '--out', out, '--json');
  assert.equal(first.code, 0, first.err);
  assert.equal(first.out.trim().split('\n').length, 1, 'stdout is exactly the JSON line');
  const ce = lastJson(first.out);
  assert.equal(ce.bench, 'supervised');
  assert.deepEqual(ce.rows.map((r) => [r.dataset, r.init, r.method, r.shots, r.seed]), [['mnist', 'scratch', 'ce', 3, 0]]);
  // Plant a marker in the finished cell: a rerun that recomputed it would not report it.
  const results = join(out, 'results.jsonl');
  const planted = { ...JSON.parse(readFileSync(results, 'utf8').trim()), test_top1: 0.123456 };
  writeFileSync(results, `${JSON.stringify(planted)}\n`);

  const second = hardneg(...tiny, '--from-scratch', '--methods', 'ce,supcon,schane', '--out', out, '--json');
  assert.equal(second.code, 0, second.err);
  assert.match(second.err, /\[1\/3\] mnist scratch ce shots=3 seed=0: test_top1 0\.1235 .*\(finished before, reused\)/);
  assert.match(second.err, /\| mnist \| scratch \| 3 \| schane \| 1 \| /);
  const { rows } = lastJson(second.out);
  assert.deepEqual(rows.map((r) => r.method), ['ce', 'supcon', 'schane']);
  assert.equal(rows[0].test_top1, 0.123456);
  for (const r of rows.slice(1)) {
    // 3 images per class, 2 epochs: above chance (0.1) by a margin, below 1; geometry of unit vectors.
    assert.ok(r.test_top1 > 0.2 && r.test_top1 < 1, `${r.method} test_top1 ${r.test_top1}`);
    assert.ok(r.knn_top1 > 0.2 && r.knn_top1 < 1, `${r.method} knn_top1 ${r.knn_top1}`);
    assert.ok(r.alignment > 0 && r.alignment < 4, `${r.method} alignment ${r.alignment}`);
    assert.ok(r.uniformity < 0 && r.uniformity > -4, `${r.method} uniformity ${r.uniformity}`);
  }
  assert.equal(readFileSync(results, 'utf8').trim().split('\n').length, 3);

  // Other settings into the same directory: refused, naming --out and the setting.
  const other = hardneg(...tiny, '--from-scratch', '--lambda', '0.3', '--out', out);
  assert.equal(other.code, 1);
  assert.match(other.err, /hardneg: error: --out: .* holds a study with lambda 0\.5, not 0\.3/);
});

test('bench supervised --from-moco pre-trains MoCo once per dataset and fine-tunes it; the next run reuses the encoder', () => {
  const { dir } = scratchDir('bench-supervised-moco');
  const out = join(dir, 'study');
  const run = (seed: number) => hardneg(...tinyWith(seed), '--from-moco', '--moco-epochs', '1', '--methods', 'schane', '--out', out, '--json');
  const first = run(0);
  assert.equal(first.code, 0, first.err);
  assert.match(first.err, /pre-training MoCo v2 on mnist \(300 unlabeled images, 1 epochs\)/);
  assert.ok(existsSync(join(out, 'moco-mnist', 'final.json')));
  const [row] = lastJson(first.out).rows;
  assert.deepEqual([row.init, row.method], ['moco', 'schane']);
  assert.ok(row.test_top1 > 0.2 && row.test_top1 < 1, `test_top1 ${row.test_top1}`);
  const config = JSON.parse(readFileSync(join(out, 'cells', 'mnist-moco-schane-shots3-seed0', 'config.json'), 'utf8')).config;
  assert.equal(config.supervised.init, join(out, 'moco-mnist', 'checkpoint', 'model'));
  const second = run(1);
  assert.equal(second.code, 0, second.err);
  assert.doesNotMatch(second.err, /pre-training MoCo/);
});

test('bench supervised: bad flags are one line and a non-zero exit', () => {
  const cases: [string[], RegExp][] = [
    [['--shots', '0'], /--shots must be a positive integer, got '0'/],
    [['--shots', '1,,5'], /--shots must be a comma-separated list, got '1,,5'/],
    [['--seeds', '0,x'], /--seeds: each seed must be an integer >= 0, got 'x'/],
    [['--seeds', '1,1'], /--seeds lists a value twice: '1,1'/],
    [['--dataset', 'cifar'], /--dataset must be one of mnist, fashion-mnist, got 'cifar'/],
    [['--methods', 'ce,triplet'], /--methods must be one of ce, supcon, schane, got 'triplet'/],
    [['--lambda', '1.5'], /--lambda must be a number in \[0, 1\], got '1.5'/],
    [['--beta', '-1'], /--beta must be a number in \[0, /],
    [['--positives', 'mean'], /--positives must be one of mean-inside, per-positive, got 'mean'/],
    [['--epochs', '0'], /--epochs must be a positive integer, got '0'/],
  ];
  for (const [args, message] of cases) {
    const r = hardneg('bench', 'supervised', ...args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.equal(r.err.trim().split('\n').length, 1, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
  }
});
