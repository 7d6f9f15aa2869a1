import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { nativeSkip } from '../helpers.js';
import { writeRun } from '../report/runFixture.js';

/** The backend hardneg picks by itself here: native when its addon is built. */
const auto = (await nativeSkip()) ? 'wasm' : 'native';

/** Runs the built CLI (`npm test` builds dist first). */
function hardneg(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/hardneg.js', ...args], { encoding: 'utf8', env: { ...process.env, HARDNEG_BACKEND: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'hardneg-cli-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('report: two run directories → one HTML page and a PNG per chart', () => {
  const small = { rows: 100, classes: 4, dim: 8 };
  const a = writeRun(dir, { name: 'mochi', ...small });
  const b = writeRun(dir, { name: 'moco', mochi: false, seed: 1, ...small });
  const out = join(dir, 'site', 'report.html');
  const r = hardneg('report', a, b, '--out', out, '--png', join(dir, 'png'), '--max-points', '50');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`^backend: ${auto}`, 'm'));
  assert.match(r.err, /^note: moco \(.*\): no hardness\.json/m);
  assert.match(r.out, /^wrote .*report\.html \(2 runs, 7 charts, 7 PNG files in .*png\) in \d+\.\d s$/m);
  const html = readFileSync(out, 'utf8');
  assert.equal(html.split('<svg').length - 1, 7);
  assert.match(html, /UMAP of 50 of 100 test points/);
  assert.equal(readdirSync(join(dir, 'png')).filter((f) => f.endsWith('.png')).length, 7);
});

test('report: a path that is not a run directory is one line and exit 1, and nothing is written', () => {
  const out = join(dir, 'bad.html');
  for (const path of [join(dir, 'nope'), 'package.json', 'src']) {
    const r = hardneg('report', path, '--out', out);
    assert.equal(r.code, 1, path);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, /^hardneg: error: report: /);
  }
  assert.equal(existsSync(out), false);
  const missingOut = hardneg('report', dir);
  assert.notEqual(missingOut.code, 0);
  assert.match(missingOut.err, /required option '--out <file>' not specified/);
});

test('--help lists report and toy', () => {
  const help = hardneg('--help');
  assert.match(help.out, /^\s+report \[options\] <runs\.\.\.>/m);
  assert.match(help.out, /^\s+toy \[options\]/m);
});
