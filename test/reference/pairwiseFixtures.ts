/**
 * The PyTorch fixtures of `bench/reference/fixtures_pairwise.py` (committed as
 * `test/fixtures/pairwise.json`): inputs, options, loss and gradients per case.
 */
import { readFileSync } from 'node:fs';
import type { Matrix } from './float64.js';

export interface FixtureCase {
  name: string;
  options: Record<string, number | boolean>;
  loss: number;
  grad: Record<string, Matrix | Matrix[]>;
  [input: string]: unknown;
}

export interface PairwiseFixtures {
  torch: string;
  hcl: (FixtureCase & { z1: Matrix; z2: Matrix; clampedViews: number })[];
  dcl: (FixtureCase & { z1: Matrix; z2: Matrix })[];
  triplet: (FixtureCase & { embeddings: Matrix; labels: number[]; kind: 'batchHard' | 'semiHard' })[];
  mnrl: (FixtureCase & { queries: Matrix; positives: Matrix; hardNegatives?: Matrix[] })[];
}

export const pairwiseFixtures: PairwiseFixtures = JSON.parse(
  readFileSync(new URL('../fixtures/pairwise.json', import.meta.url), 'utf8'),
) as PairwiseFixtures;
