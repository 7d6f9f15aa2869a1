import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { PNG } from 'pngjs';
import { GROUP_COLORS, renderSvg, svgToPng } from '../../src/report/render.js';
import { type ToyGroup, runToy, toySpec } from '../../src/report/toy.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

const xs = (toy: ReturnType<typeof runToy>, group: ToyGroup) => toy.points.filter((p) => p.group === group).map((p) => p.x);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

test("the paper's ordering: query-mixed h′ are harder than mixed h on average", () => {
  const settings = [0, 1, 2, 3, 4].map((seed) => ({ seed })).concat([{ seed: 0, dim: 128 } as { seed: number }, { seed: 0, N: 256 } as { seed: number }]);
  for (const options of settings) {
    const toy = runToy(options);
    assert.ok(toy.meanHPrime! > toy.meanH! + 0.05, `${JSON.stringify(options)}: mean q·h′ ${toy.meanHPrime} vs mean q·h ${toy.meanH}`);
  }
});

test('groups, coordinates and hardness figures are consistent', () => {
  const toy = runToy({ dim: 32, queue: 1024, N: 64, s: 32, sPrime: 16, seed: 7 });
  const count = (g: ToyGroup) => toy.points.filter((p) => p.group === g).length;
  assert.deepEqual(['queue', 'hardest', 'mixed', 'query_mixed', 'query'].map((g) => count(g as ToyGroup)), [960, 64, 32, 16, 1]);
  // x = q·v and y is a coordinate of v's part orthogonal to q, so x² + y² ≤ ‖v‖² = 1.
  for (const p of toy.points) assert.ok(p.x * p.x + p.y * p.y <= 1 + 1e-9, `${p.group} (${p.x}, ${p.y})`);
  assert.deepEqual(toy.points.at(-1), { group: 'query', x: 1, y: 0 });
  // The N hardest are the N most similar queue items.
  assert.ok(Math.min(...xs(toy, 'hardest')) >= Math.max(...xs(toy, 'queue')));
  assert.equal(toy.hardestReal, Math.max(...xs(toy, 'hardest')));
  assert.ok(Math.abs(toy.meanHardest - mean(xs(toy, 'hardest'))) < 1e-12);
  // Every h′ is at least as close to q as the hard negative it was mixed from (algorithms.md).
  assert.ok(Math.min(...xs(toy, 'query_mixed')) >= Math.min(...xs(toy, 'hardest')) - 1e-6);
  assert.ok(Math.abs(toy.meanH! - mean(xs(toy, 'mixed'))) < 1e-12);
  assert.ok(Math.abs(toy.meanHPrime! - mean(xs(toy, 'query_mixed'))) < 1e-12);
  assert.equal(toy.harderH, xs(toy, 'mixed').filter((x) => x > toy.hardestReal).length);
  assert.equal(toy.harderHPrime, xs(toy, 'query_mixed').filter((x) => x > toy.hardestReal).length);
  assert.equal(toy.shareHarder, (toy.harderH + toy.harderHPrime) / 48);
  assert.deepEqual(runToy({ seed: 7 }), toy);
});

test('without synthetic negatives of a kind, its mean is null', () => {
  const toy = runToy({ s: 0, sPrime: 0, queue: 100, N: 10 });
  assert.deepEqual([toy.meanH, toy.meanHPrime, toy.shareHarder, toy.points.length], [null, null, 0, 101]);
  assert.throws(() => runToy({ queue: 10, N: 11 }), /toy: N must be <= the queue size 10, got 11/);
  assert.throws(() => runToy({ dim: 1 }), /toy: dim must be an integer >= 2, got 1/);
});

test('the picture: every point drawn, five legend entries, and each group’s colour visible in the PNG', async () => {
  const toy = runToy({});
  const svg = await renderSvg(toySpec(toy));
  assert.equal(svg.split('aria-roledescription="point"').length - 1, 1024 + 32 + 16 + 1);
  for (const label of ['queue (other 960)', 'hardest N = 64', 'mixed h (s = 32)', 'query-mixed h′ (s′ = 16)', 'query q']) assert.ok(svg.includes(`>${label}<`), label);
  assert.ok(svg.includes(`hardest real: ${toy.hardestReal.toFixed(3)}`));
  const png = PNG.sync.read(Buffer.from(svgToPng(svg)));
  const near = (hex: string, opacity: number) => {
    const want = [1, 3, 5].map((i) => opacity * parseInt(hex.slice(i, i + 2), 16) + (1 - opacity) * 255);
    let n = 0;
    for (let i = 0; i < png.data.length; i += 4) if (want.every((c, k) => Math.abs(png.data[i + k] - c) < 12)) n++;
    return n;
  };
  // Marks are drawn at 0.9 opacity over white; each group covers thousands of pixels at 2× scale.
  for (const group of ['hardest', 'mixed', 'query_mixed'] as const) {
    const pixels = near(GROUP_COLORS[group], 0.9);
    assert.ok(pixels > 1500, `${group}: ${pixels} pixels of its colour`);
  }
  assert.ok(near(GROUP_COLORS.queue, 0.45) > 5000, 'queue points');
});
