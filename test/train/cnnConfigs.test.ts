/**
 * The CNN configs for Fashion-MNIST: each parses as shipped, and its encoder, optimizer, loss and
 * augmentations train a tiny slice (MNIST, 128 images, 2 epochs of 4 steps, a 64-key queue, kNN with k = 20) so the
 * test stays small; the full runs are in docs/results.md.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { readConfig } from '../../src/cli/trainCommand.js';
import { train } from '../../src/train/train.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

for (const name of ['fashion-cnn-moco', 'fashion-cnn-mochi']) {
  test(`configs/${name}.yaml parses as a CNN MoCo run on Fashion-MNIST and trains a tiny slice`, async () => {
    const shipped = readConfig(`configs/${name}.yaml`);
    assert.equal(shipped.name, name);
    assert.equal(shipped.data.dataset, 'fashion-mnist');
    assert.equal(shipped.encoder.backbone.kind, 'cnn');
    assert.equal(shipped.moco.mochi === null, name === 'fashion-cnn-moco');
    const config = readConfig(`configs/${name}.yaml`, [
      'data={"dataset":"mnist","limit":128,"testSize":200}', 'epochs=2', 'batchSize=32', 'moco.queue=64', 'eval.knnK=20',
      ...(shipped.moco.mochi ? ['moco.mochi={"N":32,"s":16,"sPrime":8,"startEpoch":1}'] : []),
    ]);
    assert.deepEqual(config.encoder, shipped.encoder);
    const runs = mkdtempSync(join(tmpdir(), 'hardneg-cnn-config-'));
    const result = await train(config, { runsDir: runs });
    const metrics = result.run.metrics();
    assert.equal(metrics.length, 2);
    for (const m of metrics) assert.ok(Number.isFinite(m.loss) && m.loss > 0 && m.loss < Math.log(65) + 1, `loss ${m.loss}`);
    assert.equal('sim_mixed_mean' in metrics[1], shipped.moco.mochi !== null, 'MoCHi mixes from epoch 1');
    assert.ok(result.final.knn_top1 > 0.2, `kNN top-1 ${result.final.knn_top1} (chance 0.1; measured 0.33)`);
  });
}
