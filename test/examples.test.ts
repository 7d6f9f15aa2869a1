import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('examples/quickstart.ts runs and prints each part (it imports the built package: npm test builds first)', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^backend: /m);
  const loss = (name: string) => Number(new RegExp(`${name} ([\\d.]+)`).exec(r.stdout)?.[1]);
  assert.ok(loss("with MoCHi's synthetic negatives") > loss('MoCo InfoNCE'), r.stdout);
  assert.match(r.stdout, /‖∂L\/∂q‖ = \d/);
  assert.match(r.stdout, /SupCon [\d.]+; SCHaNe \(β = 1\) [\d.]+/);
  assert.match(r.stdout, /mined negatives of query 0: \d+, \d+, \d+ .*"label":[1-9]/);
});
