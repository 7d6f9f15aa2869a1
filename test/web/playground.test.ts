/**
 * hardneg in a real browser (Debian's Chromium through playwright-core; skipped when
 * /usr/bin/chromium is missing): the playground built by Vite and served from 127.0.0.1 loads
 * without errors, draws MoCHi's Figure 1 and redraws it when N changes, trains MoCo and MoCHi in
 * its worker with a falling loss; and the package bundled by esbuild for the browser computes
 * the same losses as Node. Set HARDNEG_WEB_SCREENSHOT=<file.png> to save the page (docs/browser.md).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Browser, Page } from 'playwright-core';
import * as core from '../../src/core.js';
import { lossProbe, type ProbeResult } from './lossProbe.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install it (apt-get install -y chromium) to run the browser tests`;
const dir = mkdtempSync(join(tmpdir(), 'hardneg-web-'));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.bin': 'application/octet-stream' };

/** URL prefix → folder served under it. */
const mounts: [string, string][] = [
  ['/lib/', join(dir, 'lib')],
  ['/wasm/', join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out')],
  ['/', join(dir, 'site')],
];

function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const [prefix, folder] = mounts.find(([p]) => path.startsWith(p))!;
    const file = normalize(join(folder, path.slice(prefix.length) || 'index.html'));
    if (!file.startsWith(folder) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

let server: Server | undefined;
let browser: Browser | undefined;
let origin = '';

before(async () => {
  if (skip) return;
  const built = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--outDir', join(dir, 'site'), '--emptyOutDir'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(built.status, 0, `vite build failed:\n${built.stdout}\n${built.stderr}`);
  assert.ok(existsSync(join(ROOT, 'dist/core.js')), 'dist/core.js is missing: run npm run build first (the bundle test imports the built package)');
  const { build } = await import('esbuild');
  const bundled = await build({
    entryPoints: [join(ROOT, 'test/web/bundleEntry.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    outfile: join(dir, 'lib/bundle.js'),
    logLevel: 'silent',
  });
  assert.deepEqual(bundled.errors, []);
  writeFileSync(join(dir, 'lib/index.html'), '<!doctype html><link rel="icon" href="data:,"><script type="module" src="./bundle.js"></script>');
  server = await serve();
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page that records page errors and console errors. */
async function open(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 1250 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  await page.goto(`${origin}${path}`);
  return { page, problems };
}

type Curves = Record<'moco' | 'mochi', { loss: [number, number][]; knn: [number, number][]; proxy: [number, number][] }>;

const readout = (page: Page) => page.textContent('#toy-readout').then((t) => t ?? '');
const canvasPixels = (page: Page, id: string) => page.$eval(`#${id}`, (c) => (c as HTMLCanvasElement).toDataURL());
const setSlider = (page: Page, id: string, value: number) =>
  page.$eval(`#${id}`, (el, v) => {
    (el as HTMLInputElement).value = String(v);
    el.dispatchEvent(new Event('input'));
  }, value);
const losses = (text: string) => [...text.matchAll(/(?:MoCo\)|MoCHi) (\d+\.\d+)/g)].map((m) => Number(m[1]));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('the playground: Figure 1 follows N, s, s′ and the query; MoCo and MoCHi train in the worker', { skip, timeout: 240_000 }, async () => {
  const { page, problems } = await open('/?backend=wasm');
  await page.waitForFunction(() => (window as unknown as { hardnegPlayground?: { toy(): unknown } }).hardnegPlayground?.toy() !== undefined, null, { timeout: 60_000 });
  assert.match((await page.textContent('#engine')) ?? '', /^backend: wasm \(kernel fixes: transposed-matmul.*; host kernels: wasm\)/);
  assert.match(await readout(page), /^N hardest: 32 · h: 16 · h′: 8 · /);
  const before = { circle: await canvasPixels(page, 'circle'), histogram: await canvasPixels(page, 'histogram'), losses: losses(await readout(page)) };
  assert.equal(before.losses.length, 2);
  assert.ok(before.losses[1] > before.losses[0], `synthetic negatives raise the loss: ${before.losses}`);

  await setSlider(page, 'N', 100);
  assert.match(await readout(page), /^N hardest: 100 · h: 16 · h′: 8 · /);
  assert.notEqual(await canvasPixels(page, 'circle'), before.circle);
  assert.notEqual(await canvasPixels(page, 'histogram'), before.histogram);
  const toy = await page.evaluate(() => {
    const r = (window as unknown as { hardnegPlayground: { toy(): { hardest: Int32Array; sims: { hardest: number[]; queue: number[] } } } }).hardnegPlayground.toy();
    return { hardest: r.hardest.length, hardestMin: Math.min(...r.sims.hardest), rest: r.sims.queue.filter((_, i) => !Array.from(r.hardest).includes(i)) };
  });
  assert.equal(toy.hardest, 100);
  assert.ok(Math.max(...toy.rest) <= toy.hardestMin, 'the N hardest are the N most similar keys');

  await setSlider(page, 's', 0);
  await setSlider(page, 'sPrime', 0);
  const [moco, mochi] = losses(await readout(page));
  assert.equal(mochi, moco, 'with s = s′ = 0 MoCHi is MoCo');
  const box = (await (await page.$('#circle'))!.boundingBox())!;
  await page.mouse.click(box.x + 40, box.y + box.height / 2);
  const dragged = losses(await readout(page));
  assert.notEqual(dragged[0], moco, 'moving the query changes the loss');

  // Training: the loss curves start once the queue (1,024 keys) is full, after 16 steps of 64.
  await page.waitForFunction(() => (window as unknown as { hardnegPlayground: { curves: Curves } }).hardnegPlayground.curves.mochi.loss.length >= 64, null, { timeout: 180_000 });
  assert.match((await page.textContent('#train-backend')) ?? '', /^backend: wasm/);
  assert.ok(Number(await page.textContent('#train-speed')) > 0);
  const curves = await page.evaluate(() => (window as unknown as { hardnegPlayground: { curves: Curves } }).hardnegPlayground.curves);
  const loss = (run: 'moco' | 'mochi') => curves[run].loss.map((p) => p[1]);
  assert.equal(curves.moco.loss[0][0], 17);
  const afterFill = mean(loss('moco').slice(0, 10));
  const last = mean(loss('moco').slice(-10));
  assert.ok(last < afterFill - 0.1, `MoCo: loss ${afterFill.toFixed(3)} after the queue filled, ${last.toFixed(3)} at step ${loss('moco').length}`);
  const [mocoLater, mochiLater] = [mean(loss('moco')), mean(loss('mochi'))];
  assert.ok(mochiLater > mocoLater + 0.3, `MoCHi's synthetic negatives keep its loss above MoCo's: ${mochiLater.toFixed(3)} vs ${mocoLater.toFixed(3)}`);
  for (const run of ['moco', 'mochi'] as const) {
    assert.ok(curves[run].knn.length >= 3 && curves[run].knn.every(([, v]) => v > 0.5 && v <= 1), `${run} kNN top-1: ${JSON.stringify(curves[run].knn)}`);
    assert.ok(curves[run].proxy.length >= 3 && curves[run].proxy.every(([, v]) => v >= 0 && v <= 1), `${run} proxy accuracy: ${JSON.stringify(curves[run].proxy)}`);
  }
  if (process.env.HARDNEG_WEB_SCREENSHOT) {
    await setSlider(page, 'N', 48);
    await setSlider(page, 's', 32);
    await setSlider(page, 'sPrime', 16);
    await page.screenshot({ path: process.env.HARDNEG_WEB_SCREENSHOT, fullPage: true });
  }

  await page.click('#pause');
  await page.waitForFunction(() => document.getElementById('train-status')?.textContent === 'paused');
  const pausedAt = await page.evaluate(() => (window as unknown as { hardnegPlayground: { curves: Curves } }).hardnegPlayground.curves.moco.loss.length);
  await page.waitForTimeout(1000);
  assert.equal(await page.evaluate(() => (window as unknown as { hardnegPlayground: { curves: Curves } }).hardnegPlayground.curves.moco.loss.length), pausedAt);
  await page.click('#pause');
  await page.waitForFunction((n) => (window as unknown as { hardnegPlayground: { curves: Curves } }).hardnegPlayground.curves.moco.loss.length > n, pausedAt, { timeout: 30_000 });
  assert.deepEqual(problems, []);
  await page.close();
});

test('hardneg bundled by esbuild for the browser computes the losses Node computes', { skip, timeout: 120_000 }, async () => {
  const { page, problems } = await open('/lib/');
  await page.waitForFunction(() => 'lossProbe' in window);
  for (const engine of [{ backend: 'wasm', wasmPaths: `${origin}/wasm/` }, { backend: 'cpu' }]) {
    const browserValues = await page.evaluate((e) => (window as unknown as { lossProbe(e: object): Promise<ProbeResult> }).lossProbe(e), engine);
    const nodeValues = await lossProbe(core, tf, { backend: engine.backend });
    assert.equal(browserValues.backend, engine.backend);
    for (const key of ['infoNCE', 'mochiLoss', 'supCon', 'schane'] as const) {
      assert.ok(Number.isFinite(nodeValues[key]) && nodeValues[key] > 0, `${key} in Node: ${nodeValues[key]}`);
      assert.ok(Math.abs(browserValues[key] - nodeValues[key]) <= 1e-5, `${engine.backend} ${key}: browser ${browserValues[key]}, Node ${nodeValues[key]}`);
    }
  }
  assert.deepEqual(problems, []);
  await page.close();
});
