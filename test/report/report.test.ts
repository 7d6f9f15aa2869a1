import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import { escapeHtml } from '../../src/report/html.js';
import { buildReport, writeReport } from '../../src/report/report.js';
import { setup } from '../helpers.js';
import { externalReferences } from './pageChecks.js';
import { writeRun } from './runFixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hardneg-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));
before(() => setup('wasm'));

const small = { rows: 120, classes: 4, dim: 8 };

test('two runs: every chart, the final table, self-contained HTML written atomically, PNGs', async () => {
  const a = writeRun(dir, { name: 'mochi', epochs: 4, ...small });
  const b = writeRun(dir, { name: 'moco', epochs: 3, mochi: false, seed: 1, ...small });
  const progress: number[] = [];
  const report = await buildReport([a, b], { onProgress: (done, total) => progress.push(done / total) });
  assert.deepEqual(report.charts.map((c) => c.id), ['curve-loss', 'curve-knn-top1', 'curve-proxy-acc', 'curve-fn-share', 'map-1-mochi', 'hardness-1-mochi', 'map-2-moco']);
  assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7].map((d) => d / 7));
  assert.equal(report.charts.find((c) => c.id === 'curve-proxy-acc')!.caption, 'Not logged by: moco.');
  assert.deepEqual(report.notes, [{ section: 'hardness', text: `moco (${b}): no hardness.json: no similarity histogram (MoCo/MoCHi runs write one).` }]);

  const html = report.html;
  assert.deepEqual(externalReferences(html), []);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  for (const chart of report.charts) {
    assert.ok(html.includes(`<figure class="chart" id="${chart.id}">\n${chart.svg}`), `figure ${chart.id}`);
  }
  assert.equal(html.split('<svg').length - 1, 7);
  assert.match(html, /<td>mochi<\/td><td><strong>0\.92<\/strong><\/td><td><strong>0\.97<\/strong><\/td>/); // final table, best in bold
  assert.match(html, /<td>moco<\/td><td>0\.9<\/td><td>0\.96<\/td>/);
  assert.match(html, /<p class="note">moco \(.*\): no hardness\.json/);
  assert.match(html, /<summary>settings of mochi<\/summary>/);

  const out = join(dir, 'out', 'report.html');
  const pngDir = join(dir, 'out', 'png');
  const files = writeReport(report, out, pngDir);
  assert.equal(files.length, 8);
  assert.equal(readFileSync(out, 'utf8'), html);
  assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['png', 'report.html']); // no temporary file left behind
  assert.deepEqual(readdirSync(pngDir).sort(), report.charts.map((c) => `${c.id}.png`).sort());
  for (const chart of report.charts) {
    const png = PNG.sync.read(readFileSync(join(pngDir, `${chart.id}.png`)));
    assert.equal(png.width, 2 * Number(/width="(\d+)"/.exec(chart.svg)![1]), chart.id);
  }
});

test('missing files leave their charts out with a note; a run with only final.json still reports', async () => {
  const partial = writeRun(dir, { name: 'partial', ...small, omit: ['metrics.jsonl', 'test-labels.npy'] });
  const bare = join(dir, 'bare');
  mkdirSync(bare);
  writeFileSync(join(bare, 'final.json'), JSON.stringify({ knn_top1: 0.5 }));
  const report = await buildReport([partial, bare]);
  assert.deepEqual(report.charts.map((c) => c.id), ['hardness-1-partial']);
  const texts = report.notes.map((n) => `${n.section}: ${n.text}`);
  assert.deepEqual(texts, [
    `curves: partial (${partial}): no metrics.jsonl: it has no training curves.`,
    `maps: partial (${partial}): no test-labels.npy: no embedding map (the points are coloured by class).`,
    `runs: bare (${bare}): no config.json: its task, seed and settings are unknown.`,
    `curves: bare (${bare}): no metrics.jsonl: it has no training curves.`,
    `hardness: bare (${bare}): no hardness.json: no similarity histogram (MoCo/MoCHi runs write one).`,
    `maps: bare (${bare}): no test-embeddings.npy: no embedding map.`,
  ]);
  for (const n of report.notes) assert.ok(report.html.includes(escapeHtml(n.text)));
  assert.match(report.html, /<td>bare<\/td><td>0\.5<\/td>/);
  assert.deepEqual(externalReferences(report.html), []);
});

test('the self-containment check catches external references', () => {
  const bad = ['<img src="https://x/y.png">', '<a href="http://x">', "<style>@import 'x.css'</style>", '<script>1</script>', '<div style="background:url(//x/y)">', '<link rel="stylesheet" href="a.css">', '<image xlink:href="pic.png"/>', "<img src='//cdn/x'>"];
  for (const html of bad) assert.notDeepEqual(externalReferences(html), [], html);
  assert.deepEqual(externalReferences('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"></svg>'), []);
  assert.deepEqual(externalReferences('<a href="#curves">x</a><img src="data:image/png;base64,AAAA">'), []);
});

test('a path that is not a run directory is a one-line error', async () => {
  await assert.rejects(buildReport([join(dir, 'missing')]), /^DataError: report: .*missing: no such directory$/);
});

test('names are escaped in the page', async () => {
  const path = writeRun(dir, { name: 'a<b>&"c"', ...small, omit: ['test-embeddings.npy', 'test-labels.npy', 'hardness.json'] });
  const report = await buildReport([path]);
  assert.ok(!report.html.includes('a<b>'));
  assert.ok(report.html.includes('<td>a&lt;b&gt;&amp;&quot;c&quot;</td>'));
});
