/** `--resume` with a config that is not the run's: one line naming every key that differs. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { configDifferences, describeDifferences } from '../../src/train/configDiff.js';
import { train } from '../../src/train/train.js';
import { setup } from '../helpers.js';
import { tinyConfig } from './suiteHelpers.js';

before(() => setup('wasm'));

test('configDifferences lists leaf key paths with both values', () => {
  const d = configDifferences({ a: 1, b: { c: [1, 2], d: 'x' } }, { a: 1, b: { c: [1, 3], e: true } });
  assert.equal(describeDifferences(d), 'b.c (saved [1,2], given [1,3]), b.d (saved "x", given unset), b.e (saved unset, given true)');
});

test('a resume with other settings is refused naming them; nonFinite may change', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'hardneg-resume-config-'));
  const config = tinyConfig('r');
  assert.equal((await train(config, { runsDir: runs, hooks: { shouldStop: () => true } })).interrupted, true);
  const changed = { ...config, epochs: 5, optimizer: { ...config.optimizer, lr: 1e6 } };
  await assert.rejects(
    train(changed, { runsDir: runs, resume: true }),
    { message: `--resume: the config differs from the one ${join(runs, 'r')} was started with: epochs (saved 2, given 5), optimizer.lr (saved 0.1, given 1000000) (resume with --resume ${join(runs, 'r')} alone to use the saved config)` },
  );
  const resumed = await train({ ...config, nonFinite: 'skip' }, { runsDir: runs, resume: true });
  assert.equal(resumed.interrupted, false);
});
