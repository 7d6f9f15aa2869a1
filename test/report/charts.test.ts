import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import { Rng } from '../../src/engine/random.js';
import { CURVE_METRICS, curvePoints, curveSpec } from '../../src/report/curves.js';
import { embeddingMap, embeddingMapSpec, exactNeighbors, subsampleRows } from '../../src/report/embeddingMap.js';
import { finalTable, formatValue } from '../../src/report/finalTable.js';
import { GROUP_LABELS, hardnessBins, hardnessSpec, hardnessSummary } from '../../src/report/hardnessHistogram.js';
import { renderSvg, svgToPng } from '../../src/report/render.js';
import { type RunData, loadRun } from '../../src/report/runReader.js';
import { setup } from '../helpers.js';
import { writeRun } from './runFixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hardneg-charts-'));
after(() => rmSync(dir, { recursive: true, force: true }));
before(() => setup('wasm'));

const metric = (key: string) => CURVE_METRICS.find((m) => m.key === key)!;
/** How many items of a kind vega drew (`line mark`, `area mark`, `point`, `circle`). */
const drawn = (svg: string, role: string) => svg.split(`aria-roledescription="${role}"`).length - 1;

async function twoRuns(): Promise<RunData[]> {
  const a = await loadRun(writeRun(dir, { name: 'mochi', epochs: 4, rows: 60, classes: 3, dim: 8 }));
  const b = await loadRun(writeRun(dir, { name: 'moco', epochs: 3, rows: 60, classes: 3, dim: 8, mochi: false, seed: 1 }));
  return [a, b];
}

test('curves: points per run and epoch, both runs in the spec and the SVG legend', async () => {
  const runs = await twoRuns();
  const loss = curvePoints(runs, 'loss');
  assert.equal(loss.length, 7);
  assert.deepEqual(loss.slice(0, 2).map((p) => [p.run, p.epoch, Number(p.value.toFixed(12))]), [['mochi', 1, 5.15], ['mochi', 2, 4.4]]);
  assert.deepEqual(loss.filter((p) => p.run === 'moco').map((p) => p.epoch), [1, 2, 3]);
  assert.deepEqual(curvePoints(runs, 'proxy_acc').map((p) => p.run), ['mochi', 'mochi', 'mochi', 'mochi']);
  assert.deepEqual(curvePoints(runs, 'test_top1'), []);

  const spec = curveSpec(metric('loss'), loss, ['mochi', 'moco']) as { data: { values: unknown[] }; encoding: { color: { scale: { domain: string[] } } } };
  assert.equal(spec.data.values.length, 7);
  assert.deepEqual(spec.encoding.color.scale.domain, ['mochi', 'moco']);
  const svg = await renderSvg(curveSpec(metric('loss'), loss, ['mochi', 'moco']));
  assert.match(svg, /^<svg/);
  assert.match(svg, />Training loss</);
  assert.match(svg, />mochi</);
  assert.match(svg, />moco</);
  assert.equal(drawn(svg, 'line mark'), 2); // one line per run
  assert.equal(drawn(svg, 'point'), 7); // one point per run and epoch
  assert.ok(svg.includes('aria-label="epoch: 3; loss: 3; run: moco"')); // moco's last point
  assert.ok(svg.includes('aria-label="epoch: 4; loss: 2.9; run: mochi"')); // mochi's last point
});

test('hardness bins: shares per group sum to 1, values land in the right bins', () => {
  const hardness = { epoch: 2, groups: { queue: [0, 0, 0.1, 1], hardest: [1, 0.9], mixed: [0.5] } };
  const bins = hardnessBins(hardness, 10);
  assert.equal(bins.length, 30);
  for (const label of ['queue', 'hardest N', 'mixed h']) {
    const group = bins.filter((b) => b.group === label);
    assert.equal(group.length, 10);
    assert.ok(Math.abs(group.reduce((a, b) => a + b.share, 0) - 1) < 1e-12);
  }
  const queue = bins.filter((b) => b.group === 'queue');
  assert.deepEqual(queue.map((b) => b.share), [0.5, 0.25, 0, 0, 0, 0, 0, 0, 0, 0.25]); // 1.0 lands in the closed last bin
  const hardest = bins.filter((b) => b.group === 'hardest N');
  assert.deepEqual(hardest.map((b) => b.share), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]); // 0.9 is the last bin's left edge
  assert.ok(Math.abs(queue[3].x0 - 0.3) < 1e-12 && Math.abs(queue[3].x1 - 0.4) < 1e-12 && Math.abs(queue[3].x - 0.35) < 1e-12);
  assert.deepEqual(
    hardnessSummary(hardness).map((s) => [s.label, s.count, Number(s.mean.toFixed(6))]),
    [['queue', 4, 0.275], ['hardest N', 2, 0.95], ['mixed h', 1, 0.5]],
  );
});

test('hardness histogram SVG names every group and its mean', async () => {
  const run = await loadRun(writeRun(dir, { name: 'h', rows: 10, classes: 2, dim: 4 }));
  const svg = await renderSvg(hardnessSpec('h', run.hardness!));
  for (const label of Object.values(GROUP_LABELS)) assert.ok(svg.includes(`>${label}<`), `legend entry ${label}`);
  assert.equal(drawn(svg, 'area mark'), 5);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  assert.ok(svg.includes(`hardest N ${mean(run.hardness!.groups.hardest!).toFixed(3)}`));
});

test('subsample: at most max distinct rows, ascending, seeded', () => {
  assert.deepEqual(Array.from(subsampleRows(5, 10, new Rng(0))), [0, 1, 2, 3, 4]);
  const a = subsampleRows(10000, 2000, new Rng(3));
  assert.equal(a.length, 2000);
  assert.equal(new Set(a).size, 2000);
  assert.ok(a.every((v, i) => i === 0 || v > a[i - 1]));
  assert.ok(a[0] >= 0 && a[1999] < 10000);
  assert.deepEqual(Array.from(subsampleRows(10000, 2000, new Rng(3))), Array.from(a));
  assert.notDeepEqual(Array.from(subsampleRows(10000, 2000, new Rng(4))), Array.from(a));
});

test('exact neighbours match a float64 brute force', () => {
  const rng = new Rng(1);
  const [n, dim, k] = [70, 6, 5];
  const unit = rng.normalArray(n * dim);
  for (let i = 0; i < n; i++) {
    const norm = Math.hypot(...unit.subarray(i * dim, (i + 1) * dim));
    for (let e = 0; e < dim; e++) unit[i * dim + e] /= norm;
  }
  const { indices, distances } = exactNeighbors(unit, n, dim, k, 16);
  for (let i = 0; i < n; i++) {
    const d = Array.from({ length: n }, (_v, j) => {
      let s = 0;
      for (let e = 0; e < dim; e++) s += (unit[i * dim + e] - unit[j * dim + e]) ** 2;
      return Math.sqrt(s);
    });
    const want = d.map((v, j) => [v, j]).sort((x, y) => x[0] - y[0] || x[1] - y[1]).slice(0, k);
    assert.deepEqual(indices[i], want.map((w) => w[1]), `row ${i}`);
    assert.equal(distances[i][0], 0);
    for (let t = 1; t < k; t++) assert.ok(Math.abs(distances[i][t] - want[t][0]) < 1e-5);
  }
});

test('embedding map: seeded, keeps classes apart, one symbol per point', async () => {
  const run = await loadRun(writeRun(dir, { name: 'map', rows: 400, classes: 4, dim: 16, seed: 5 }));
  const points = await embeddingMap(run.embeddings!, run.labels!, { maxPoints: 300, seed: 1 });
  assert.equal(points.length, 300);
  assert.deepEqual(points, await embeddingMap(run.embeddings!, run.labels!, { maxPoints: 300, seed: 1 }));
  // Each point's nearest neighbour in the 2-D map has its class (the fixture's classes are separate clusters).
  let same = 0;
  for (const p of points) {
    let best = Infinity;
    let label = -1;
    for (const o of points) {
      const d = (p.x - o.x) ** 2 + (p.y - o.y) ** 2;
      if (o !== p && d < best) [best, label] = [d, o.label];
    }
    if (label === p.label) same++;
  }
  assert.ok(same / points.length > 0.95, `neighbour agreement ${same / points.length}`);
  const svg = await renderSvg(embeddingMapSpec('map', points, 400));
  assert.match(svg, /UMAP of 300 of 400 test points/);
  const symbols = svg.split('class="mark-symbol role-mark')[1].split('</g>')[0]; // the points carry no aria labels
  assert.equal(symbols.split('<path').length - 1, 300);
  for (const c of ['0', '1', '2', '3']) assert.ok(svg.includes(`>${c}<`), `legend entry ${c}`);
});

test('final table: usual columns first, values formatted, best accuracy marked', async () => {
  const runs = await twoRuns();
  runs[1].final = { ...runs[1].final, linear_probe_top1: 0.81234567, note: 'x', nested: { a: 1 } };
  const table = finalTable(runs);
  assert.deepEqual(table.columns, ['knn_top1', 'knn_top5', 'linear_probe_top1', 'alignment', 'uniformity', 'epochs', 'seconds', 'note']);
  assert.deepEqual(table.rows[0].cells, ['0.92', '0.97', '—', '0.4', '-3.2', '4', '40', '—']);
  assert.deepEqual(table.rows[1].cells, ['0.9', '0.96', '0.8123', '0.4', '-3.2', '3', '30', 'x']);
  assert.deepEqual(table.rows[0].best, [true, true, false, false, false, false, false, false]);
  assert.deepEqual(table.rows[1].best, [false, false, true, false, false, false, false, false]);
  assert.deepEqual([formatValue(3), formatValue(1 / 3), formatValue(null), formatValue(true)], ['3', '0.3333', '—', 'true']);
});

test('PNG: the SVG rasterised at twice its size, with text drawn', async () => {
  const svg = await renderSvg(curveSpec(metric('loss'), [{ run: 'a', epoch: 1, value: 1 }, { run: 'a', epoch: 2, value: 0.5 }], ['a']));
  const [w, h] = [Number(/width="(\d+)"/.exec(svg)![1]), Number(/height="(\d+)"/.exec(svg)![1])];
  const png = PNG.sync.read(Buffer.from(svgToPng(svg)));
  assert.deepEqual([png.width, png.height], [2 * w, 2 * h]);
  // The title's glyphs: dark pixels in the top band, which holds nothing but the title.
  let dark = 0;
  for (let y = 0; y < 40; y++) for (let x = 0; x < png.width; x++) if (png.data[(y * png.width + x) * 4] < 80) dark++;
  assert.ok(dark > 200, `dark title pixels: ${dark}`);
});
