/**
 * An image dataset from a folder with one sub-folder per class (`<dir>/<class>/<image>`), read
 * with pngjs (`.png`) and jpeg-js (`.jpg`, `.jpeg`). Classes are the sub-folders in name order,
 * images within a class in name order; hidden entries and other files are ignored.
 *
 * Rules: the output size is `size`, else the first image's; an image of another size is
 * centre-cropped to the output's aspect ratio, then resized bilinearly (no antialiasing).
 * Channels are `channels`, else 1 if the first image is grey (R = G = B everywhere), else 3;
 * grey is made RGB by copying and RGB grey by luma (0.299 R + 0.587 G + 0.114 B), but a colour
 * image in a folder taken as grey from its first image is bad (pass `channels: 3`). Alpha is dropped.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ArgumentError, checkInt } from '../ops/validate.js';
import { type SkipOptions, type SkippedItem, DataError, badItem, errorMessage, warnSkipped } from './dataReport.js';
import { type ImageDataset, createDataset } from './dataset.js';
import { resizeCenterCrop } from './augment/warp.js';

export interface ImageFolderOptions extends SkipOptions {
  /** Output `[H, W]`; default the first image's size. */
  size?: [number, number];
  /** 1 (grey) or 3 (RGB); default from the first image. */
  channels?: 1 | 3;
}

export interface ImageFolderData {
  dataset: ImageDataset;
  skipped: SkippedItem[];
  /** Images that were centre-cropped and resized to the output size. */
  resized: number;
}

const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/** Reads every image of `dir`'s class sub-folders. */
export function readImageFolder(dir: string, options: ImageFolderOptions = {}): ImageFolderData {
  const fn = 'readImageFolder';
  options.size?.forEach((side, i) => checkInt(fn, `size[${i}]`, side, 1));
  if (options.channels !== undefined && options.channels !== 1 && options.channels !== 3) {
    throw new ArgumentError(`${fn}: channels must be 1 or 3, got ${options.channels}`);
  }
  const entries = listVisible(dir);
  const classNames = entries.filter((name) => isDirectory(join(dir, name)));
  if (classNames.length === 0) throw new DataError(`${fn}: ${dir} has no class sub-folders (expected ${dir}/<class>/<image>.png|.jpg)`);
  const files: { path: string; label: number }[] = [];
  classNames.forEach((name, label) => {
    for (const file of listVisible(join(dir, name))) {
      if (EXTENSIONS.has(extname(file).toLowerCase())) files.push({ path: join(dir, name, file), label });
    }
  });
  if (files.length === 0) throw new DataError(`${fn}: ${dir} has no .png, .jpg or .jpeg images in its class sub-folders`);

  const skipped: SkippedItem[] = [];
  let images: Float32Array | null = null;
  let shape: [number, number, number] = [0, 0, 0];
  const labels = new Int32Array(files.length);
  let count = 0;
  let resized = 0;
  for (const { path, label } of files) {
    try {
      const decoded = decodeImage(path);
      if (images === null) {
        const channels = options.channels ?? (decoded.grey ? 1 : 3);
        shape = [...(options.size ?? [decoded.height, decoded.width]), channels] as [number, number, number];
        images = new Float32Array(files.length * shape[0] * shape[1] * channels);
      } else if (options.channels === undefined && shape[2] === 1 && !decoded.grey) {
        throw new Error('colour image in a folder read as grey from its first image (pass channels: 3)');
      }
      const [h, w, channels] = shape;
      const offset = count * h * w * channels;
      if (decoded.height === h && decoded.width === w) {
        writeChannels(decoded, channels, images, offset);
      } else {
        const full = new Float32Array(decoded.height * decoded.width * channels);
        writeChannels(decoded, channels, full, 0);
        images.set(resizeCenterCrop({ data: full, height: decoded.height, width: decoded.width, channels }, h, w).data, offset);
        resized++;
      }
      labels[count++] = label;
    } catch (err) {
      badItem(fn, { file: path, reason: errorMessage(err) }, options, skipped);
    }
  }
  if (images === null) throw new DataError(`${fn}: ${dir}: no image could be read (first: ${skipped[0].file}: ${skipped[0].reason})`);
  warnSkipped(fn, 'images', skipped, files.length, options);
  const size = shape[0] * shape[1] * shape[2];
  const dataset = createDataset(images.subarray(0, count * size), labels.subarray(0, count), [count, ...shape], classNames, `${fn}: ${dir}`);
  return { dataset, skipped, resized };
}

/**
 * The images of `dir` for embedding: those in its class sub-folders and those directly in it,
 * in name order (sub-folders first), as paths.
 */
export function listImageFiles(dir: string): string[] {
  const entries = listVisible(dir);
  const inside = entries.filter((name) => isDirectory(join(dir, name))).flatMap((sub) => listVisible(join(dir, sub)).map((file) => join(dir, sub, file)));
  const direct = entries.map((name) => join(dir, name)).filter((path) => !isDirectory(path));
  return [...inside, ...direct].filter((path) => EXTENSIONS.has(extname(path).toLowerCase()));
}

/** `[H, W, channels]` of an image file as `readImageFolder` would take it (channels 1 when grey). */
export function imageFileShape(path: string): [number, number, number] {
  const decoded = decodeImage(path);
  return [decoded.height, decoded.width, decoded.grey ? 1 : 3];
}

/** Decodes one image into `dst` at `offset` as `[H, W, C]` in [0, 1], centre-cropped and resized to `shape` when its size differs. */
export function decodeImageInto(path: string, shape: [number, number, number], dst: Float32Array, offset: number): void {
  const [h, w, channels] = shape;
  const decoded = decodeImage(path);
  if (decoded.height === h && decoded.width === w) {
    writeChannels(decoded, channels, dst, offset);
    return;
  }
  const full = new Float32Array(decoded.height * decoded.width * channels);
  writeChannels(decoded, channels, full, 0);
  dst.set(resizeCenterCrop({ data: full, height: decoded.height, width: decoded.width, channels }, h, w).data, offset);
}

interface Decoded {
  rgba: Uint8Array;
  height: number;
  width: number;
  grey: boolean;
}

function decodeImage(path: string): Decoded {
  const bytes = readFileSync(path);
  const ext = extname(path).toLowerCase();
  const { data, width, height } = ext === '.png' ? PNG.sync.read(bytes) : jpeg.decode(bytes, { useTArray: true, tolerantDecoding: false });
  if (!(width > 0 && height > 0) || data.length !== width * height * 4) throw new Error(`decoded to ${width}×${height} with ${data.length} bytes`);
  let grey = true;
  for (let i = 0; i < data.length && grey; i += 4) grey = data[i] === data[i + 1] && data[i] === data[i + 2];
  return { rgba: data, height, width, grey };
}

/** Writes the decoded pixels as `[H, W, channels]` floats in [0, 1] into `dst` at `offset`. */
function writeChannels({ rgba, height, width, grey }: Decoded, channels: number, dst: Float32Array, offset: number): void {
  for (let p = 0, i = 0, o = offset; p < height * width; p++, i += 4) {
    if (channels === 3) {
      dst[o++] = rgba[i] / 255;
      dst[o++] = rgba[i + 1] / 255;
      dst[o++] = rgba[i + 2] / 255;
    } else {
      dst[o++] = grey ? rgba[i] / 255 : (0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]) / 255;
    }
  }
}

/** The entries of `dir` not starting with '.', in name order. */
function listVisible(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => !name.startsWith('.'))
      .sort();
  } catch (err) {
    throw new DataError(`readImageFolder: cannot read ${dir}: ${errorMessage(err)}`);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
