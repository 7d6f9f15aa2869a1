/**
 * The README's WordNet table at small scale: the untrained hashed encoder against training with
 * in-batch, mined, and mined + filtered negatives (3,000 training synsets, 300 test queries
 * against all 76,066 documents, 2 epochs, one seed). At this scale the differences between the
 * trained rows are within seed noise; each must beat the untrained encoder on Recall@100.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { reverseDictionary } from '../../src/experiments/reverseDictionary.js';
import { runWordnetRetrieval } from '../../src/experiments/wordnetRetrieval.js';
import { setup } from '../helpers.js';

before(() => setup(process.env.HARDNEG_NATIVE_DISABLE === '1' ? 'wasm' : 'native'));

test('every trained setting beats the untrained encoder on WordNet test queries', () => {
  const task = reverseDictionary({ train: 3000, dev: 10, test: 300 });
  const encoder = { dim: 64, hidden: 256, buckets: 1 << 16 };
  const recall = (negatives: 'none' | 'in-batch' | 'mined' | 'mined-filtered') => {
    const r = runWordnetRetrieval({ task, negatives, seed: 0, epochs: 2, evaluate: ['test'], encoder, candidates: 20 });
    r.encoder?.dispose();
    const m = r.metrics.test!;
    for (const v of Object.values(m)) assert.ok(v >= 0 && v <= 1);
    return m['recall@100'];
  };
  const untrained = recall('none');
  for (const negatives of ['in-batch', 'mined', 'mined-filtered'] as const) {
    const trained = recall(negatives);
    assert.ok(trained > untrained + 0.02, `${negatives}: Recall@100 ${trained} vs untrained ${untrained}`);
  }
});
