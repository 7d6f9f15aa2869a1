import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PNG } from 'pngjs';

/** Runs the built CLI (`npm test` builds dist first). */
function hardneg(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/hardneg.js', ...args], { encoding: 'utf8', env: { ...process.env, HARDNEG_BACKEND: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'hardneg-cli-toy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('toy --json: the picture, the printed share, and one JSON line last', () => {
  const out = join(dir, 'toy.png');
  const r = hardneg('toy', '--out', out, '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim().split('\n').length, 1); // --json: stdout holds the JSON line alone, the human lines go to stderr
  const last = JSON.parse(r.out);
  assert.equal(last.toy, true);
  assert.deepEqual([last.dim, last.queue, last.N, last.s, last.sPrime, last.seed], [32, 1024, 64, 32, 16, 0]);
  assert.ok(last.mean_h_prime > last.mean_h, `mean q·h′ ${last.mean_h_prime} should exceed mean q·h ${last.mean_h}`);
  assert.ok(last.hardest_real > last.mean_hardest && last.hardest_real < 1);
  const share = /^synthetic negatives harder than the hardest real one: (\d+)\/48 \((\d+\.\d)%\)$/m.exec(r.err);
  assert.ok(share, r.err);
  assert.ok(Math.abs(Number(share[1]) / 48 - last.share_harder) < 1e-6);
  const png = PNG.sync.read(readFileSync(out));
  assert.ok(png.width > 1000 && png.height > 600, `${png.width}×${png.height}`);
});

test('toy: other settings, SVG output, and one-line errors', () => {
  const out = join(dir, 'toy.svg');
  const r = hardneg('toy', '--dim', '16', '--queue', '256', '--N', '16', '--s', '0', '--sPrime', '8', '--seed', '3', '--out', out, '--json');
  assert.equal(r.code, 0, r.err);
  const last = JSON.parse(r.out.trim().split('\n').pop()!);
  assert.deepEqual([last.dim, last.queue, last.N, last.s, last.sPrime, last.seed, last.mean_h], [16, 256, 16, 0, 8, 3, null]);
  assert.match(readFileSync(out, 'utf8'), /^<svg[\s\S]*query-mixed h′ \(s′ = 8\)/);
  const bad = hardneg('toy', '--N', '2000', '--out', join(dir, 'x.png'));
  assert.equal(bad.code, 1);
  assert.equal(bad.err.trim(), 'hardneg: error: --N must be <= --queue (1024), got 2000');
  assert.match(hardneg('toy', '--dim', 'x', '--out', 'x.png').err, /--dim must be a positive integer, got 'x'/);
});
