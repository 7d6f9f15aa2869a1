import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nativeSkip } from '../helpers.js';

/** The backend hardneg picks by itself here: native when its addon is built. */
const auto = (await nativeSkip()) ? 'wasm' : 'native';

function hardneg(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/hardneg.js', ...args], { encoding: 'utf8', env: { ...process.env, HARDNEG_BACKEND: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const oneLine = (s: string) => s.trim().split('\n').filter((l) => !l.startsWith('backend:'));

test('train: a missing config, a bad key and missing Fashion-MNIST files are one-line errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hardneg-cfg-'));
  const missing = hardneg('train', '--config', join(dir, 'nope.yaml'));
  assert.equal(missing.code, 1);
  assert.deepEqual(oneLine(missing.err), [`hardneg: error: --config: no such file ${join(dir, 'nope.yaml')}`]);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: x\ntask: moco\nepochs: two\n');
  const r = hardneg('train', '--config', bad);
  assert.equal(r.code, 1);
  // Every problem at once, one line each naming its key: encoder and optimizer missing, epochs not a number.
  const at = (key: string) => new RegExp(`^hardneg: error: ${bad.replace(/[.]/g, '\\.')}\\.${key}: `);
  assert.deepEqual(oneLine(r.err).map((line) => ['encoder', 'epochs', 'optimizer'].find((key) => at(key).test(line))), ['encoder', 'epochs', 'optimizer']);
  assert.match(r.err, /\.epochs: .*expected number.*got "two"/);
  const fashion = hardneg('train', '--config', 'configs/fashion-mochi.yaml', '--set', `data.path="${join(dir, 'no-idx')}"`, '--runs-dir', dir);
  assert.equal(fashion.code, 1);
  assert.equal(oneLine(fashion.err).length, 1);
  assert.match(fashion.err, /apt-get install dataset-fashion-mnist/);
});

test('demo --quick --json tells the story of the full demo: learned features above raw pixels, the proxy task of MoCHi harder but not degenerate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hardneg-demo-'));
  const r = hardneg('demo', '--quick', '--json', '--runs-dir', dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /raw pixels[\s\S]*MoCo[\s\S]*MoCHi/);
  assert.equal(r.out.trim().split('\n').length, 1);
  const last = JSON.parse(r.out);
  assert.deepEqual([last.demo, last.quick, last.backend], ['mnist', true, auto]);
  assert.equal(last.raw.knn_top1, 0.9); // weighted kNN on the 784 pixels of the same 8,000 / 2,000 split
  for (const k of ['moco', 'mochi']) assert.ok(last[k].knn_top1 > last.raw.knn_top1 + 0.01, `${k}: ${last[k].knn_top1} vs raw ${last.raw.knn_top1}`);
  assert.ok(last.mochi.proxy_acc > 0.02 && last.mochi.proxy_acc < last.moco.proxy_acc, `proxy_acc MoCHi ${last.mochi.proxy_acc} vs MoCo ${last.moco.proxy_acc}`);
});

test('train then eval: eval reproduces the run’s kNN top-1 and adds the linear probe and geometry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hardneg-eval-'));
  const t = hardneg('train', '--config', 'configs/mnist-moco.yaml', '--name', 'tiny', '--epochs', '1', '--runs-dir', dir, '--json',
    '--set', 'data.limit=600', 'batchSize=100', 'moco.queue=200', 'encoder={"backbone":{"kind":"mlp","inputDim":784,"hidden":[64],"outputDim":16}}');
  assert.equal(t.code, 0, t.err);
  const trained = JSON.parse(t.out.trim().split('\n').pop()!);
  const e = hardneg('eval', '--run', join(dir, 'tiny'), '--json');
  assert.equal(e.code, 0, e.err);
  const evaluated = JSON.parse(e.out.trim().split('\n').pop()!);
  assert.equal(evaluated.knn_top1, trained.knn_top1);
  assert.ok(evaluated.linear_probe_top1 > 0.5);
  assert.ok(evaluated.alignment >= 0 && evaluated.alignment <= 4 && evaluated.uniformity < 0);
  const notRun = hardneg('eval', '--run', dir);
  assert.equal(notRun.code, 1);
  assert.match(notRun.err, /is not a run directory \(no config\.json\)/);
});
