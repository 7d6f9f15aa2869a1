/**
 * Peak memory of loading an image folder through a training config's data source (decode + split):
 * `node --import tsx bench/folderMemory.ts [images=20000]` writes that many random 32×32×3 PNGs in
 * 10 class folders under a temporary directory, loads them with `loadUserTrainTest` and prints the
 * float32 size of the dataset next to the process's peak resident memory (`/proc/self/status` VmHWM)
 * and the growth of array-buffer memory. A second decoded copy would show as ≥ 2× the dataset.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { loadUserTrainTest } from '../src/data/dataSource.js';

const n = Number(process.argv[2] ?? 20000);
const dir = mkdtempSync(join(tmpdir(), 'hardneg-folder-memory-'));
try {
  const png = new PNG({ width: 32, height: 32 });
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < png.data.length; p++) png.data[p] = p % 4 === 3 ? 255 : (i * 31 + p * 7) % 256;
    mkdirSync(join(dir, `c${i % 10}`), { recursive: true });
    writeFileSync(join(dir, `c${i % 10}`, `${i}.png`), PNG.sync.write(png));
  }
  const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;
  global.gc?.();
  const before = process.memoryUsage().arrayBuffers / 2 ** 20;
  const peakBefore = hwm();
  const t0 = performance.now();
  const tt = loadUserTrainTest({ dataset: 'image-folder', path: dir }, { seed: 0, requireLabels: true });
  const seconds = (performance.now() - t0) / 1000;
  const dataset = (tt.train.images.length + tt.test.images.length) * 4 / 2 ** 20;
  const after = process.memoryUsage().arrayBuffers / 2 ** 20;
  console.log(JSON.stringify({
    images: n, train: tt.train.labels.length, test: tt.test.labels.length, seconds: +seconds.toFixed(1),
    datasetMB: +dataset.toFixed(1), arrayBuffersGrowthMB: +(after - before).toFixed(1), peakRssBeforeMB: +peakBefore.toFixed(1), peakRssAfterMB: +hwm().toFixed(1),
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
