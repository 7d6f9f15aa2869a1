/**
 * The `usearch` package (an optional peer), loaded on first use. Importing it looks up its
 * native binary, which costs time (and fails on some installs), so hardneg's entry and its CLI
 * start without it.
 */
import type * as Usearch from 'usearch';
import { requireOptional } from '../util/optionalPackage.js';

export function usearch(): typeof Usearch {
  return requireOptional<typeof Usearch>('usearch', 'HNSW search (usearch)');
}
