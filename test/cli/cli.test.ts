import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nativeSkip } from '../helpers.js';

const auto = (await nativeSkip()) ? 'wasm' : 'native';

/** Runs the built CLI (`npm test` builds dist first). */
function hardneg(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/hardneg.js', ...args], { encoding: 'utf8', env: { ...process.env, HARDNEG_BACKEND: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--help lists the commands and --version prints the package version', () => {
  const help = hardneg('--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /Commands:[\s\S]*bench[\s\S]*mine/);
  assert.match(help.out, /--backend <name>/);
  assert.match(help.out, /--threads <n>/);
  assert.match(hardneg('--version').out.trim(), /^\d+\.\d+\.\d+$/);
});

test('bench moco-step --json: a one-line backend summary on stderr (kernels with --verbose), one JSON line on stdout', () => {
  const r = hardneg('bench', 'moco-step', '--batch', '16', '--queue', '64', '--dim', '8', '--steps', '2', '--warmup', '1', '--json');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, auto === 'native' ? /^backend: native \(OpenBLAS, \d+ threads?\)$/m : /^backend: wasm \(\d+ kernel fix(es)?; host kernels: wasm\)/m);
  assert.equal(r.out.trim().split('\n').length, 1);
  const last = JSON.parse(r.out);
  assert.equal(last.bench, 'moco-step');
  assert.equal(last.backend, auto);
  assert.deepEqual([last.batch, last.queue, last.dim, last.steps], [16, 64, 8, 2]);
  assert.ok(last.ms_per_step > 0);
  const verbose = hardneg('--verbose', 'bench', 'moco-step', '--batch', '16', '--queue', '64', '--dim', '8', '--steps', '1', '--warmup', '0');
  assert.equal(verbose.code, 0, verbose.err);
  assert.match(verbose.err, auto === 'native' ? /^backend: native \(OpenBLAS, \d+ threads?; native kernels: BatchMatMul, /m : /^backend: wasm \(kernel fixes: /m);
});

test('bench moco-step --encoder cnn: residual CNN on colour images; the JSON line names the encoder and its shape', () => {
  const r = hardneg('bench', 'moco-step', '--encoder', 'cnn', '--widths', '4,8', '--blocks', '1', '--size', '8', '--channels', '3',
    '--batch', '8', '--queue', '32', '--dim', '8', '--steps', '1', '--warmup', '1', '--mochi', '16,4,2', '--json');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 1, 'stdout is the JSON line alone');
  const last = JSON.parse(lines[0]);
  assert.deepEqual(
    [last.bench, last.encoder, last.widths, last.blocks, last.size, last.channels, last.batch, last.queue, last.dim, last.mochi],
    ['moco-step', 'cnn', [4, 8], 1, 8, 3, 8, 32, 8, '16,4,2'],
  );
  assert.ok(last.ms_per_step > 0);
  assert.match(r.err, /cnn \[4,8\] blocks=1 on 8×8×3; B=8 K=32 D=8/);
});

test('bench moco-step: a flag that does not fit is a one-line error naming it', () => {
  const cases: [string[], RegExp][] = [
    [['--encoder', 'vit'], /--encoder must be one of mlp, cnn, got 'vit'/],
    [['--widths', '32,x'], /--widths must be comma-separated positive integers \(e\.g\. 32,64,128\), got '32,x'/],
    [['--widths', '0'], /--widths must be comma-separated positive integers/],
    [['--blocks', '2'], /--blocks: residual blocks need --encoder cnn, got --encoder mlp --blocks 2/],
    [['--encoder', 'cnn', '--size', '2'], /--size: 3 stages \(--widths 32,64,128\) halve a 2×2 image below 1 pixel; use --size >= 4/],
    [['--encoder', 'cnn', '--batch', '10'], /--batch: .*must be a multiple of 4, got 10/],
    [['--channels', '0'], /--channels must be a positive integer, got '0'/],
  ];
  for (const [args, message] of cases) {
    const r = hardneg('bench', 'moco-step', ...args, '--steps', '1');
    assert.notEqual(r.code, 0, args.join(' '));
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, message);
    assert.equal(r.out, '');
  }
});

test('bench moco-step on wasm refuses the 32×32×3 ResNet at B = 256 in one line before building anything', () => {
  const r = hardneg('--backend', 'wasm', 'bench', 'moco-step', '--encoder', 'cnn', '--widths', '64,128,256', '--blocks', '2', '--size', '32', '--channels', '3', '--json');
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  const lines = r.err.trim().split('\n');
  assert.match(lines[0], /^backend: wasm/);
  assert.equal(lines.length, 2, r.err);
  assert.match(lines[1], /^hardneg: error: bench moco-step: batch size 256 with the encoder CNN \[64,128,256\], 2 residual blocks per stage, on 32×32×3 \+ head 256→256→128 needs about [\d.]+ GiB per training step, more than the wasm backend's 4\.0 GiB; use a batch size of at most \d+, or the native backend \(--backend native\)$/);
});

test('errors are one line and a non-zero exit', () => {
  const bad = hardneg('--backend', 'gpu', 'bench', 'moco-step');
  assert.equal(bad.code, 1);
  assert.equal(bad.err.trim().split('\n').length, 1);
  assert.match(bad.err, /^hardneg: error: unknown backend 'gpu': expected one of tensorflow, native, webgpu, webgl, wasm, cpu \(available here: [a-z, ]+\)$/m);
  const threads = hardneg('--threads', '0', 'bench', 'moco-step');
  assert.notEqual(threads.code, 0);
  assert.match(threads.err, /--threads must be an integer in \[1, 1024\], got '0'/);
  const num = hardneg('bench', 'moco-step', '--batch', 'x');
  assert.notEqual(num.code, 0);
  assert.match(num.err, /--batch must be a positive integer, got 'x'/);
});

test('mine: texts through the untrained hashed encoder to sentence-transformers JSONL and a summary; --json ends with it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hardneg-cli-mine-'));
  try {
    const docs = ['dog, domestic dog', 'wolf', 'domestic cat, house cat', 'fox', 'hot dog, frankfurter', 'cat, true cat', 'hound, hound dog'];
    writeFileSync(join(dir, 'corpus.jsonl'), docs.map((t, i) => JSON.stringify({ id: `d${i}`, text: t })).join('\n'));
    writeFileSync(join(dir, 'queries.jsonl'), [JSON.stringify({ id: 'q1', text: 'a domesticated dog' }), JSON.stringify({ id: 'q2', text: 'the house cat' })].join('\n'));
    writeFileSync(join(dir, 'qrels.tsv'), 'query-id\tcorpus-id\tscore\nq1\td0\t1\nq2\td2\t1\n');
    const args = ['mine', '--queries', join(dir, 'queries.jsonl'), '--corpus', join(dir, 'corpus.jsonl'), '--qrels', join(dir, 'qrels.tsv'), '-o', join(dir, 'out.jsonl')];
    const r = hardneg(...args, '--negatives', '2', '--dim', '32', '--buckets', '4096', '--json');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^backend: (native|wasm)/m);
    const rows = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    assert.deepEqual(rows.map((x) => Object.keys(x)), [['anchor', 'positive', 'negative_1', 'negative_2'], ['anchor', 'positive', 'negative_1', 'negative_2']]);
    assert.deepEqual([rows[0].anchor, rows[0].positive, rows[1].positive], ['a domesticated dog', 'dog, domestic dog', 'domestic cat, house cat']);
    const summary = JSON.parse(r.out.trim().split('\n').pop()!);
    assert.deepEqual([summary.rowsWritten, summary.corpus, summary.index, summary.negativesChosen], [2, 7, 'exact', 4]);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'out.summary.json'), 'utf8')).dropped, summary.dropped);
    // A qrels line naming an unknown document: one line, with file and line, exit 1.
    writeFileSync(join(dir, 'qrels.tsv'), 'q1\td0\t1\nq2\td9\t1\n');
    const bad = hardneg(...args);
    assert.equal(bad.code, 1);
    assert.equal(bad.err.trim().split('\n').length, 2); // the backend line, then the error
    assert.match(bad.err, /hardneg: error: .*qrels\.tsv:2: unknown corpus id 'd9'/);
    const flag = hardneg(...args, '--index', 'annoy');
    assert.notEqual(flag.code, 0);
    assert.match(flag.err, /--index must be one of exact, hnsw, got 'annoy'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench mine --json: exact agrees with brute force; HNSW reaches recall >= 0.95 on clustered vectors', () => {
  for (const index of ['exact', 'hnsw']) {
    const r = hardneg('bench', 'mine', '--corpus', '3000', '--queries', '50', '--dim', '32', '--k', '10', '--centres', '30', '--index', index, '--json');
    assert.equal(r.code, 0, r.err);
    const last = JSON.parse(r.out.trim().split('\n').pop()!);
    assert.deepEqual([last.bench, last.index, last.corpus, last.queries, last.dim, last.k], ['mine', index, 3000, 50, 32, 10]);
    assert.ok(last.seconds > 0);
    assert.ok(last.recall_vs_bruteforce >= (index === 'exact' ? 0.999 : 0.95), `${index}: ${last.recall_vs_bruteforce}`);
  }
});

test('train-retrieval (small WordNet run) reports metrics per split and saves an encoder that eval-retrieval reads back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hardneg-cli-train-'));
  try {
    const small = ['--train', '1024', '--dev', '100', '--test', '100'];
    const model = ['--dim', '16', '--hidden', '32', '--buckets', '8192'];
    const runsDir = join(dir, 'runs');
    const r = hardneg('train-retrieval', ...small, ...model, '--negatives', 'mined-filtered', '--epochs', '2', '--batch', '64', '--candidates', '20', '--eval', 'test', '-o', join(dir, 'enc.safetensors'), '--runs-dir', runsDir, '--json');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /seed 0 epoch 1: loss [\d.]+ .*mined in.*, [\d.]+% never a training positive; dev recall@1/);
    // The run directory: config, one metrics line per epoch with dev metrics, final test metrics.
    const run = join(runsDir, 'retrieval-text-mined-filtered-seed0');
    assert.equal(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).task, 'retrieval');
    const epochs = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(epochs.map((m) => m.epoch), [1, 2]);
    assert.ok(epochs.every((m) => m['dev_recall@10'] >= 0 && m['dev_recall@10'] <= 1 && m.dropped_relativeMargin >= 0 && m.non_positive_share >= 0 && m.non_positive_share <= 1));
    const final = JSON.parse(readFileSync(join(run, 'final.json'), 'utf8'));
    const report = hardneg('report', run, '--out', join(dir, 'report.html'));
    assert.equal(report.code, 0, report.err);
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /Recall@10 \(dev split\)/);
    const again = hardneg('train-retrieval', ...small, ...model, '--negatives', 'mined-filtered', '--epochs', '1', '--eval', 'test', '--runs-dir', runsDir);
    assert.match(again.err, /already holds a run/);
    const last = JSON.parse(r.out.trim().split('\n').pop()!);
    assert.deepEqual([last.command, last.negatives, last.model, last.seeds], ['train-retrieval', 'mined-filtered', 'text', [0]]);
    const trained = last.runs[0].metrics.test;
    for (const k of ['recall@1', 'recall@10', 'recall@100', 'mrr@10', 'ndcg@10']) assert.ok(trained[k] >= 0 && trained[k] <= 1 && final[`test_${k}`] === trained[k], k);
    assert.ok(trained['recall@1'] <= trained['recall@10'] && trained['recall@10'] <= trained['recall@100']);
    const e = hardneg('eval-retrieval', ...small, '--encoder', join(dir, 'enc.safetensors'), '--split', 'test', '--json');
    assert.equal(e.code, 0, e.err);
    assert.deepEqual(JSON.parse(e.out.trim().split('\n').pop()!).metrics, trained);
    const bad = hardneg('train-retrieval', '--negatives', 'hard');
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /--negatives must be one of in-batch, mined, mined-filtered, none, got 'hard'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
