/**
 * `--json` in every command that has it: stdout holds exactly one line, and it parses as JSON (so
 * `hardneg … --json | jq` works); the human lines and the backend summary go to stderr. Runs the
 * built CLI (`npm test` builds dist first) with small settings.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'hardneg-json-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function hardneg(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/hardneg.js', ...args, '--json'], { encoding: 'utf8', env: { ...process.env, HARDNEG_BACKEND: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const vectors = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ id: `${prefix}${i}`, vector: [Math.sin(i), Math.cos(i), Math.sin(2 * i), 1] })).join('\n');
writeFileSync(join(dir, 'corpus.jsonl'), vectors('d', 60));
writeFileSync(join(dir, 'queries.jsonl'), vectors('q', 40));
writeFileSync(join(dir, 'qrels.tsv'), Array.from({ length: 40 }, (_, i) => `q${i}\td${i}\t1`).join('\n'));
const files = ['--queries', join(dir, 'queries.jsonl'), '--corpus', join(dir, 'corpus.jsonl'), '--qrels', join(dir, 'qrels.tsv')];
const tinyTrain = ['--set', 'data.limit=600', 'batchSize=100', 'moco.queue=200', 'encoder={"backbone":{"kind":"mlp","inputDim":784,"hidden":[16],"outputDim":8}}'];
const wordnet = ['--train', '256', '--dev', '50', '--test', '50', '--dim', '8', '--buckets', '4096'];

/** Each command with `--json` appended; `key` is a field its JSON line must carry. Order matters: eval reads train's run. */
const COMMANDS: { args: string[]; key: string }[] = [
  { args: ['toy', '--out', join(dir, 'toy.svg'), '--dim', '8', '--queue', '64', '--N', '8', '--s', '4', '--sPrime', '4'], key: 'share_harder' },
  { args: ['bench', 'moco-step', '--batch', '16', '--queue', '64', '--dim', '8', '--steps', '1', '--warmup', '0'], key: 'ms_per_step' },
  { args: ['bench', 'mine', '--corpus', '200', '--queries', '10', '--dim', '8', '--k', '5', '--centres', '10'], key: 'recall_vs_bruteforce' },
  { args: ['mine', ...files, '-o', join(dir, 'mined.jsonl'), '--negatives', '2', '--candidates', '10'], key: 'rowsWritten' },
  { args: ['train-adapter', ...files, '-o', join(dir, 'adapter.safetensors'), '--epochs', '1', '--batch', '16', '--candidates', '10'], key: 'adapted' },
  { args: ['train', '--config', 'configs/mnist-moco.yaml', '--name', 'json', '--epochs', '1', '--runs-dir', dir, ...tinyTrain], key: 'knn_top1' },
  { args: ['eval', '--run', join(dir, 'json')], key: 'linear_probe_top1' },
  { args: ['export', '--run', join(dir, 'json'), '-o', join(dir, 'json.safetensors')], key: 'weights' },
  { args: ['embed', '--model', join(dir, 'adapter.safetensors'), '--input', join(dir, 'queries.jsonl'), '-o', join(dir, 'embedded.jsonl')], key: 'rows' },
  { args: ['train-retrieval', ...wordnet, '--hidden', '0', '--negatives', 'in-batch', '--epochs', '1', '--batch', '64', '--eval', 'test'], key: 'summary' },
  { args: ['eval-retrieval', ...wordnet, '--split', 'dev'], key: 'metrics' },
  { args: ['bench', 'supervised', '--shots', '1', '--seeds', '0', '--methods', 'ce', '--from-scratch', '--epochs', '1', '--limit', '500', '--out', join(dir, 'study')], key: 'rows' },
  { args: ['demo', '--quick', '--epochs', '2', '--runs-dir', dir], key: 'mochi' },
];

test(`--json: stdout is exactly one JSON line in all ${COMMANDS.length} commands that take it; the rest goes to stderr`, () => {
  for (const { args, key } of COMMANDS) {
    const r = hardneg(...args);
    const name = args.slice(0, args[0] === 'bench' ? 2 : 1).join(' ');
    assert.equal(r.code, 0, `${name}: ${r.err}`);
    const lines = r.out.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, `${name}: stdout has ${lines.length} lines:\n${r.out}`);
    assert.ok(r.out.endsWith('\n'), `${name}: the JSON line ends with a newline`);
    const value = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.ok(key in value, `${name}: no "${key}" in ${lines[0]}`);
    assert.match(r.err, /^backend: \w+ /m, `${name}: the backend summary is on stderr`);
  }
});
