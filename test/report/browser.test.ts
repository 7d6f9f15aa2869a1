/**
 * The report in a real browser: headless Chromium opens the file with no console errors or page
 * errors, and every chart is laid out and visibly drawn. Runs when /usr/bin/chromium exists
 * (`apt-get install -y chromium`), and is skipped with a message when it does not.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import { buildReport, writeReport } from '../../src/report/report.js';
import { setup } from '../helpers.js';
import { externalReferences } from './pageChecks.js';
import { writeRun } from './runFixture.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install it (apt-get install -y chromium) to run the browser check of the report`;
const dir = mkdtempSync(join(tmpdir(), 'hardneg-browser-'));
after(() => rmSync(dir, { recursive: true, force: true }));
before(() => setup('wasm'));

/** Share of pixels of a PNG screenshot that are not (near) white. */
function inkShare(bytes: Buffer): number {
  const png = PNG.sync.read(bytes);
  let ink = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i] < 235 || png.data[i + 1] < 235 || png.data[i + 2] < 235) ink++;
  return ink / (png.width * png.height);
}

test('the report opens in headless Chromium without errors and shows every chart', { skip, timeout: 120_000 }, async () => {
  const small = { rows: 200, classes: 5, dim: 8 };
  const runs = [writeRun(dir, { name: 'mochi', ...small }), writeRun(dir, { name: 'moco', mochi: false, seed: 1, ...small })];
  const report = await buildReport(runs);
  const out = join(dir, 'report.html');
  writeReport(report, out);
  assert.deepEqual(externalReferences(report.html), []);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--headless'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });

    const charts = await page.$$('figure.chart > svg');
    assert.equal(charts.length, report.charts.length);
    assert.equal(charts.length, 7);
    for (const [i, svg] of charts.entries()) {
      const id = report.charts[i].id;
      const box = await svg.boundingBox();
      assert.ok(box !== null && box.width > 200 && box.height > 150, `${id}: laid out at ${JSON.stringify(box)}`);
      const ink = inkShare(await svg.screenshot());
      assert.ok(ink > 0.03, `${id}: only ${(100 * ink).toFixed(1)}% of its screenshot is drawn`);
    }
    const whole = inkShare(await page.screenshot({ fullPage: true }));
    assert.ok(whole > 0.03, `page screenshot is blank (${(100 * whole).toFixed(1)}% drawn)`);
    assert.equal(await page.title(), 'hardneg report: mochi, moco');
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, []);
  } finally {
    await browser.close();
  }
});
