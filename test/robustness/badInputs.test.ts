/**
 * The bad-input corpus: every case is a command line (with the files it reads) that must end in a
 * clean error: a non-zero exit, each problem on one line naming the flag, file or config key
 * (matched by `error`), no stack trace, and nothing written in the case's directory. Config cases
 * cover the schema, the cross-field rules (src/train/configRules.ts) and the rules that need the
 * data; flag cases cover every command's numeric and cross-flag checks; reader cases cover the
 * config, NPY, JSONL, qrels and run-directory readers.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { errorLines, runCli } from './cliRun.js';

const root = mkdtempSync(join(tmpdir(), 'hardneg-bad-inputs-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A valid small MoCo config; each config case overrides some keys. */
const BASE = {
  name: 'bad',
  task: 'moco',
  data: { dataset: 'mnist', limit: 1024 },
  encoder: { backbone: { kind: 'mlp', inputDim: 784, hidden: [32], outputDim: 16 } },
  epochs: 2,
  batchSize: 256,
  optimizer: { kind: 'sgd', lr: 0.1 },
  moco: { queue: 512, temperature: 0.2, mochi: { N: 64, s: 32, sPrime: 16, startEpoch: 1 } },
};
const SUPERVISED = { ...BASE, task: 'supervised', batchSize: 50, moco: undefined, supervised: { loss: 'supcon', shots: 10 } };

type Files = Record<string, string | Buffer>;
interface Case {
  name: string;
  files?: Files;
  /** The command line; `dir` is the case's (otherwise empty) directory. */
  args: (dir: string) => string[];
  /** One pattern per expected error line, in order. */
  error: RegExp[];
  /** Files the command may leave behind on purpose (relative paths, as `tree` lists them). */
  kept?: string[];
}

/** An NPY file with a header naming `shape` and `bytes` bytes of data. */
function npy(shape: string, bytes: number, descr = '<f4'): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(head);
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.alloc(bytes)]);
}

const vectors = (n: number, d: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `d${i}`, vector: Array.from({ length: d }, (_, j) => Math.sin(i * 7 + j)) })).join('\n');
const GOOD = {
  'corpus.jsonl': vectors(20, 4),
  'queries.jsonl': Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `q${i}`, vector: [1, i, 0, 2] })).join('\n'),
  'qrels.tsv': Array.from({ length: 10 }, (_, i) => `q${i}\td${i}\t1`).join('\n'),
};
const adapter = (dir: string, ...extra: string[]) => ['train-adapter', '--queries', join(dir, 'queries.jsonl'), '--corpus', join(dir, 'corpus.jsonl'), '--qrels', join(dir, 'qrels.tsv'), '-o', join(dir, 'out.safetensors'), ...extra];
const mine = (dir: string, ...extra: string[]) => ['mine', '--queries', join(dir, 'queries.jsonl'), '--corpus', join(dir, 'corpus.jsonl'), '--qrels', join(dir, 'qrels.tsv'), '-o', join(dir, 'out.jsonl'), ...extra];

/** A config case: the config (BASE with `patch` merged one level deep) through `hardneg train`. */
function configCase(name: string, patch: Record<string, unknown>, error: RegExp[], base: Record<string, unknown> = BASE): Case {
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const old = merged[k];
    merged[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && typeof old === 'object' && old !== null ? { ...old, ...v } : v;
  }
  return { name: `config: ${name}`, files: { 'config.json': JSON.stringify(merged) }, args: (dir) => ['train', '--config', join(dir, 'config.json'), '--runs-dir', join(dir, 'runs')], error };
}

const key = (k: string) => new RegExp(`^hardneg: error: .*config\\.json\\.${k.replace(/[.[\]]/g, '\\$&')}: `);
const flag = (name: string, rest: string) => new RegExp(`${name} must ${rest}`);

const CASES: Case[] = [
  // The schema: every problem at once, each naming its key and the value given.
  configCase('a wrong type and an unknown key, both reported', { epochs: 'two', epoch: 3 }, [/config\.json\.epochs: .*expected number.*got "two"/, /config\.json: Unrecognized key.*\(epoch\)/]),
  configCase('negative learning rate', { optimizer: { kind: 'sgd', lr: -1 } }, [/config\.json\.optimizer: config\.lr: .*got -1/]),
  configCase('zero kNN temperature', { eval: { knnTemperature: 0 } }, [/config\.json\.eval\.knnTemperature: .*got 0/]),
  configCase('mnist testSize beyond the 10,000 digits', { data: { dataset: 'mnist', testSize: 10000 } }, [/config\.json\.data\.testSize: .*got 10000/]),
  configCase('a bad loss option', { moco: { loss: 'infonce', lossOptions: { nope: 1 } } }, [/config\.json\.moco\.lossOptions: Unrecognized key/]),
  // Cross-field rules on the config alone.
  configCase('queue smaller than the batch', { moco: { queue: 16, mochi: null } }, [/config\.json\.moco\.queue: expected >= batchSize \(256\).*got 16/]),
  configCase('MoCHi N larger than the queue', { moco: { mochi: { N: 1024, s: 32, sPrime: 16 } } }, [/config\.json\.moco\.mochi\.N: expected <= moco\.queue \(512\).*got 1024/]),
  configCase('MoCHi N = 1 with s > 0', { moco: { mochi: { N: 1, s: 8, sPrime: 0 } } }, [/config\.json\.moco\.mochi\.N: expected >= 2 when moco\.mochi\.s > 0.*got 1/]),
  configCase('MoCHi synthesising nothing', { moco: { mochi: { N: 8, s: 0, sPrime: 0 } } }, [key('moco.mochi')]),
  configCase('MoCHi starting after the last epoch', { moco: { mochi: { N: 64, s: 32, sPrime: 16, startEpoch: 2 } } }, [/moco\.mochi\.startEpoch: expected < epochs \(2\).*got 2/]),
  configCase('MoCHi with an in-batch loss', { moco: { loss: 'ntxent', queue: 512, mochi: { N: 64, s: 32, sPrime: 16, startEpoch: 1 } } }, [/moco\.mochi: expected null for loss "ntxent"/]),
  configCase('warm-up longer than the run', { warmupEpochs: 5 }, [/warmupEpochs: expected <= epochs \(2\).*got 5/]),
  configCase('learning rate 1e6', { optimizer: { kind: 'sgd', lr: 1e6 } }, [/optimizer\.lr: expected a learning rate in \(0, 10\], got 1000000/]),
  configCase('temperature 1e-30', { moco: { temperature: 1e-30 } }, [/moco\.temperature: expected a temperature in \[0\.001, 100\], got 1e-30/]),
  configCase('supervised temperature 1000', { supervised: { loss: 'supcon', shots: 10, temperature: 1000 } }, [/supervised\.temperature: expected a temperature in \[0\.001, 100\], got 1000/], SUPERVISED),
  configCase('testSize for Fashion-MNIST', { data: { dataset: 'fashion-mnist', testSize: 500 } }, [key('data.testSize')]),
  configCase('a path for mnist', { data: { dataset: 'mnist', path: '/tmp' } }, [key('data.path')]),
  configCase('three problems at once', { moco: { queue: 16, mochi: null }, optimizer: { kind: 'sgd', lr: 1e6 }, warmupEpochs: 5 }, [/warmupEpochs/, /optimizer\.lr/, /moco\.queue/]),
  // Rules that need the data (checked after loading it, before the run directory).
  configCase('MLP input 100 for 784 pixels', { encoder: { backbone: { kind: 'mlp', inputDim: 100, hidden: [8], outputDim: 4 } } }, [/encoder\.backbone\.inputDim: expected 784 \(mnist images are 28×28×1\), got 100/]),
  configCase('CNN input shape of colour images', { encoder: { backbone: { kind: 'cnn', inputShape: [32, 32, 3], widths: [8], blocks: 0, batchNorm: false } } }, [/encoder\.backbone\.inputShape: expected \[28, 28, 1\].*got \[32,32,3\]/]),
  configCase('data.limit below the batch', { data: { dataset: 'mnist', limit: 100 }, moco: { queue: 512, mochi: null } }, [/batchSize: expected <= 100 \(the training images after data\.limit\), got 256/, /moco\.queue: expected < 100 training images/]),
  configCase('data.limit beyond the split', { data: { dataset: 'mnist', limit: 20000 } }, [/data\.limit: expected <= 8000 .*got 20000/]),
  configCase('a queue as large as the training set', { moco: { queue: 1024, mochi: null } }, [/moco\.queue: expected < 1024 training images.*got 1024/]),
  configCase('shots beyond the smallest class', { data: { dataset: 'mnist' }, supervised: { loss: 'supcon', shots: 5000 } }, [/supervised\.shots: expected <= \d+ \(the smallest class/], SUPERVISED),
  // Config files themselves.
  { name: 'config: missing file', args: (dir) => ['train', '--config', join(dir, 'nope.yaml'), '--runs-dir', join(dir, 'runs')], error: [/--config: no such file/] },
  { name: 'config: invalid YAML', files: { 'c.yaml': 'name: [x\n' }, args: (dir) => ['train', '--config', join(dir, 'c.yaml'), '--runs-dir', join(dir, 'runs')], error: [/c\.yaml: not valid YAML/] },
  { name: 'config: a list, not a mapping', files: { 'c.yaml': '- 1\n- 2\n' }, args: (dir) => ['train', '--config', join(dir, 'c.yaml'), '--runs-dir', join(dir, 'runs')], error: [/c\.yaml: .*expected object, received array/] },
  { name: 'config: invalid JSON', files: { 'c.json': '{"name": ' }, args: (dir) => ['train', '--config', join(dir, 'c.json'), '--runs-dir', join(dir, 'runs')], error: [/c\.json: not valid JSON/] },
  { name: 'config: a bad --set', files: { 'config.json': JSON.stringify(BASE) }, args: (dir) => ['train', '--config', join(dir, 'config.json'), '--set', 'moco.queue=16', 'moco.mochi=null', '--runs-dir', join(dir, 'runs')], error: [/moco\.queue: expected >= batchSize \(256\)/] },
  { name: 'train: --epochs 0', args: (dir) => ['train', '--config', join(dir, 'c.yaml'), '--epochs', '0'], error: [flag('--epochs', "be a positive integer, got '0'")] },
  // Global flags.
  { name: 'global: --threads 0', args: () => ['--threads', '0', 'toy', '--out', 'x.png'], error: [flag('--threads', "be an integer in \\[1, 1024\\], got '0'")] },
  { name: 'global: --threads 5000', args: () => ['--threads', '5000', 'toy', '--out', 'x.png'], error: [flag('--threads', "be an integer in \\[1, 1024\\], got '5000'")] },
  { name: 'global: --backend gpu', args: (dir) => ['--backend', 'gpu', 'toy', '--out', join(dir, 'x.png')], error: [/unknown backend 'gpu'/] },
  // toy
  { name: 'toy: --out x.gif', args: (dir) => ['toy', '--out', join(dir, 'x.gif')], error: [flag('--out', "name a \\.png or \\.svg file, got '.*x\\.gif'")] },
  { name: 'toy: N > queue and N = 1 with s > 0', args: (dir) => ['toy', '--queue', '16', '--N', '1', '--s', '4', '--out', join(dir, 'x.png')], error: [flag('--N', 'be >= 2 when --s > 0')] },
  { name: 'toy: N > queue', args: (dir) => ['toy', '--queue', '16', '--N', '32', '--out', join(dir, 'x.png')], error: [flag('--N', 'be <= --queue \\(16\\), got 32')] },
  { name: 'toy: nothing synthesised', args: (dir) => ['toy', '--s', '0', '--sPrime', '0', '--out', join(dir, 'x.png')], error: [/--s or --sPrime must be > 0/] },
  { name: 'toy: --dim 1', args: (dir) => ['toy', '--dim', '1', '--out', join(dir, 'x.png')], error: [flag('--dim', 'be >= 2, got 1')] },
  // train-adapter
  { name: 'train-adapter: --lr -1', files: GOOD, args: (dir) => adapter(dir, '--lr', '-1'), error: [flag('--lr', "be a number in \\(0, 10\\], got '-1'")] },
  { name: 'train-adapter: --lr 1e6', files: GOOD, args: (dir) => adapter(dir, '--lr', '1e6'), error: [flag('--lr', "be a number in \\(0, 10\\], got '1e6'")] },
  { name: 'train-adapter: --lr NaN', files: GOOD, args: (dir) => adapter(dir, '--lr', 'NaN'), error: [flag('--lr', "be a number in \\(0, 10\\], got 'NaN'")] },
  { name: 'train-adapter: --holdout 1.5', files: GOOD, args: (dir) => adapter(dir, '--holdout', '1.5'), error: [flag('--holdout', "be a number in \\(0, 1\\), got '1.5'")] },
  { name: 'train-adapter: --relative-margin -5', files: GOOD, args: (dir) => adapter(dir, '--relative-margin', '-5'), error: [flag('--relative-margin', "be a number in \\(0, 1\\], got '-5'")] },
  { name: 'train-adapter: --hard-negatives > --candidates', files: GOOD, args: (dir) => adapter(dir, '--hard-negatives', '30', '--candidates', '20'), error: [flag('--hard-negatives', 'be <= --candidates \\(20\\), got 30')] },
  { name: 'train-adapter: --batch beyond the training pairs', files: GOOD, args: (dir) => adapter(dir, '--batch', '64'), error: [/--batch\) must be <= the 8 training pairs \(the queries not held out\), got 64/] },
  { name: 'train-adapter: --batch 0', files: GOOD, args: (dir) => adapter(dir, '--batch', '0'), error: [flag('--batch', "be a positive integer, got '0'")] },
  { name: 'train-adapter: --kind conv', files: GOOD, args: (dir) => adapter(dir, '--kind', 'conv'), error: [flag('--kind', "be one of linear, residual, got 'conv'")] },
  // mine
  { name: 'mine: --range-min 10 --range-max 5', files: GOOD, args: (dir) => mine(dir, '--range-min', '10', '--range-max', '5'), error: [flag('--range-min', 'be < --range-max \\(5\\), got 10'), /--negatives must be <= the candidates in range \(0\), got 3/] },
  { name: 'mine: --relative-margin -5', files: GOOD, args: (dir) => mine(dir, '--relative-margin', '-5'), error: [flag('--relative-margin', "be a number in \\(0, 1\\], got '-5'")] },
  { name: 'mine: --margin -1', files: GOOD, args: (dir) => mine(dir, '--margin', '-1'), error: [flag('--margin', "be a number in \\[0, .*\\], got '-1'")] },
  { name: 'mine: --negatives beyond the candidates', files: GOOD, args: (dir) => mine(dir, '--negatives', '20', '--candidates', '10'), error: [/--negatives must be <= the candidates in range \(10\), got 20/] },
  { name: 'mine: --range-max beyond --candidates', files: GOOD, args: (dir) => mine(dir, '--range-max', '50', '--candidates', '10'), error: [flag('--range-max', 'be <= --candidates \\(10\\), got 50')] },
  { name: 'mine: --negatives 0', files: GOOD, args: (dir) => mine(dir, '--negatives', '0'), error: [flag('--negatives', "be a positive integer, got '0'")] },
  { name: 'mine: --max-score x', files: GOOD, args: (dir) => mine(dir, '--max-score', 'x'), error: [flag('--max-score', "be a number, got 'x'")] },
  // train-retrieval / eval-retrieval
  { name: 'train-retrieval: --lr 0', args: () => ['train-retrieval', '--lr', '0'], error: [flag('--lr', "be a number in \\(0, 10\\], got '0'")] },
  { name: 'train-retrieval: --table-lr 1e9', args: () => ['train-retrieval', '--table-lr', '1e9'], error: [flag('--table-lr', "be a number in \\(0, 10\\], got '1e9'")] },
  { name: 'train-retrieval: --relative-margin 2', args: () => ['train-retrieval', '--relative-margin', '2'], error: [flag('--relative-margin', "be a number in \\(0, 1\\], got '2'")] },
  { name: 'train-retrieval: --mine-from past the run', args: () => ['train-retrieval', '--epochs', '3', '--mine-from', '3'], error: [flag('--mine-from', 'be < --epochs \\(3\\)')] },
  { name: 'train-retrieval: --hard-negatives > --candidates', args: () => ['train-retrieval', '--hard-negatives', '60'], error: [flag('--hard-negatives', 'be <= --candidates \\(50\\), got 60')] },
  { name: 'train-retrieval: --name without --runs-dir', args: () => ['train-retrieval', '--name', 'x'], error: [/--name needs --runs-dir/] },
  { name: 'train-retrieval: --seeds -1', args: () => ['train-retrieval', '--seeds', '-1'], error: [flag('--seeds', 'be integers >= 0')] },
  { name: 'eval-retrieval: --split train', args: () => ['eval-retrieval', '--split', 'train'], error: [flag('--split', "be one of dev, test, got 'train'")] },
  // bench
  { name: 'bench moco-step: queue < batch', args: () => ['bench', 'moco-step', '--queue', '16', '--batch', '256'], error: [flag('--queue', 'be >= --batch \\(256\\)')] },
  { name: 'bench moco-step: --mochi 1,4,0', args: () => ['bench', 'moco-step', '--mochi', '1,4,0'], error: [/--mochi: N must be >= 2 when s > 0/] },
  { name: 'bench moco-step: --mochi 9000,4,0', args: () => ['bench', 'moco-step', '--mochi', '9000,4,0'], error: [/--mochi: N must be <= --queue \(4096\), got 9000/] },
  { name: 'bench mine: --k beyond --corpus', args: () => ['bench', 'mine', '--corpus', '50', '--queries', '10', '--k', '100'], error: [flag('--k', 'be <= --corpus \\(50\\), got 100')] },
  { name: 'bench mine: --queries beyond --corpus', args: () => ['bench', 'mine', '--corpus', '50', '--queries', '100', '--k', '10'], error: [flag('--queries', 'be <= --corpus \\(50\\)')] },
  { name: 'bench mine: --noise -1', args: () => ['bench', 'mine', '--noise', '-1'], error: [flag('--noise', "be a number in \\[0, .*\\], got '-1'")] },
  // demo
  { name: 'demo: --epochs 1', args: (dir) => ['demo', '--epochs', '1', '--runs-dir', join(dir, 'runs')], error: [flag('--epochs', 'be >= 2')] },
  // Readers: NPY, JSONL, qrels, run directories.
  { name: 'npy: a negative dimension', files: { ...GOOD, 'corpus.npy': npy('(-3, 4)', 0) }, args: (dir) => adapter(dir).map((a) => a.replace('corpus.jsonl', 'corpus.npy')), error: [/corpus\.npy: NPY shape must be two integers >= 1 \[rows, dim\], got \(-3, 4\)/] },
  { name: 'npy: truncated data', files: { ...GOOD, 'corpus.npy': npy('(20, 4)', 100) }, args: (dir) => adapter(dir).map((a) => a.replace('corpus.jsonl', 'corpus.npy')), error: [/corpus\.npy: NPY file is truncated/] },
  { name: 'npy: trailing bytes', files: { ...GOOD, 'corpus.npy': npy('(20, 4)', 400) }, args: (dir) => adapter(dir).map((a) => a.replace('corpus.jsonl', 'corpus.npy')), error: [/corpus\.npy: NPY file is too long/] },
  { name: 'npy: float64', files: { ...GOOD, 'corpus.npy': npy('(20, 4)', 640, '<f8') }, args: (dir) => adapter(dir).map((a) => a.replace('corpus.jsonl', 'corpus.npy')), error: [/corpus\.npy: NPY dtype must be '<f4'/] },
  { name: 'npy: not an NPY file', files: { ...GOOD, 'corpus.npy': 'hello' }, args: (dir) => adapter(dir).map((a) => a.replace('corpus.jsonl', 'corpus.npy')), error: [/corpus\.npy: not an NPY file/] },
  { name: 'jsonl: a malformed line', files: { ...GOOD, 'corpus.jsonl': '{"id":"d0","vector":[1,2,3,4]}\n{"id": ' }, args: (dir) => adapter(dir), error: [/corpus\.jsonl:2: malformed JSON/] },
  { name: 'jsonl: vectors of two sizes', files: { ...GOOD, 'corpus.jsonl': '{"id":"d0","vector":[1,2,3,4]}\n{"id":"d1","vector":[1,2]}' }, args: (dir) => adapter(dir), error: [/corpus\.jsonl:2: vector has 2 values, expected 4/] },
  { name: 'jsonl: a NaN-like value', files: { ...GOOD, 'corpus.jsonl': '{"id":"d0","vector":[1,2,3,"x"]}' }, args: (dir) => adapter(dir), error: [/corpus\.jsonl:1: vector value 3 is not a finite number/] },
  { name: 'jsonl: empty file', files: { ...GOOD, 'queries.jsonl': '' }, args: (dir) => adapter(dir), error: [/queries\.jsonl: no records/] },
  { name: 'jsonl: missing file', files: GOOD, args: (dir) => adapter(dir).map((a) => a.replace('queries.jsonl', 'nope.jsonl')), error: [/nope\.jsonl: cannot open \(ENOENT\)/] },
  { name: 'jsonl: a directory', files: GOOD, args: (dir) => adapter(dir).map((a) => a.replace('queries.jsonl', 'sub')), error: [/sub: cannot open \(EISDIR\)|sub: .*directory/] },
  // Corpus ids are known only once the corpus has been searched: the finished shard is kept for the corrected rerun.
  { name: 'qrels: an unknown corpus id', files: { ...GOOD, 'qrels.tsv': 'q1\td1\t1\nq2\tnope\t1\n' }, args: (dir) => mine(dir), error: [/qrels\.tsv:2: unknown corpus id 'nope'/], kept: ['out.jsonl.shards/', 'out.jsonl.shards/shard-00000.bin'] },
  { name: 'qrels: two fields', files: { ...GOOD, 'qrels.tsv': 'q1\td1\n' }, args: (dir) => mine(dir), error: [/qrels\.tsv:1: expected 'query-id<TAB>corpus-id<TAB>score'/] },
  { name: 'qrels: a score that is not a number', files: { ...GOOD, 'qrels.tsv': 'q1\td1\t1\nq2\td2\thigh\n' }, args: (dir) => mine(dir), error: [/qrels\.tsv:2: score 'high' is not a number/] },
  { name: 'qrels: empty', files: { ...GOOD, 'qrels.tsv': '' }, args: (dir) => mine(dir), error: [/qrels\.tsv: no judgements/] },
  { name: 'eval: not a run directory', args: (dir) => ['eval', '--run', join(dir, 'none')], error: [/--run: .*none is not a run directory \(no config\.json\)/] },
  { name: 'report: not a run directory', args: (dir) => ['report', join(dir, 'none'), '--out', join(dir, 'r.html')], error: [/none/] },
];

/** Every file and directory under `dir`, relative, sorted. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = join(prefix, e.name);
    return e.isDirectory() ? [rel + '/', ...tree(dir, rel)] : [rel];
  }).sort();
}

test(`the bad-input corpus (${CASES.length} cases): a clean error per problem, non-zero exit, no stack trace, nothing written`, async () => {
  const cwd = process.cwd();
  const failures: string[] = [];
  for (const [i, c] of CASES.entries()) {
    const dir = join(root, String(i));
    mkdirSync(join(dir, 'sub'), { recursive: true });
    for (const [name, content] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), content);
    const before = tree(dir);
    process.chdir(dir); // relative outputs (toy's x.png, runs/) would land here
    const r = await runCli(c.args(dir)).finally(() => process.chdir(cwd));
    const lines = errorLines(r.err);
    const problems = [
      r.code === 0 && 'exit 0',
      /^\s+at /m.test(r.err) && 'a stack trace',
      r.out !== '' && `stdout not empty: ${r.out}`,
      lines.length !== c.error.length && `${lines.length} error line(s), expected ${c.error.length}`,
      ...c.error.map((pattern, j) => lines[j] !== undefined && !pattern.test(lines[j]) && `line ${j + 1} does not match ${pattern}`),
      lines.some((l) => !/^(hardneg: )?error: /.test(l)) && 'a line that is not an error line',
      tree(dir).join() !== [...before, ...(c.kept ?? [])].sort().join() && `wrote ${tree(dir).filter((f) => !before.includes(f)).join(', ')}`,
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length > 0) failures.push(`${c.name}: ${problems.join('; ')}\n    ${r.err.trim().split('\n').join('\n    ')}`);
  }
  assert.deepEqual(failures, []);
});
