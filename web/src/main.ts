/**
 * The playground page: the live Figure 1 (computed on the page's own engine) and the training
 * panel fed by the worker. `window.hardnegPlayground` exposes the state for the browser test.
 */
import { drawLines } from './chart.js';
import { startEngine } from './engine.js';
import type { FromWorker, RunName } from './protocol.js';
import { computeToy, drawCircle, drawHistogram, type ToyResult, type ToyState } from './toy.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const backend = params.get('backend') ?? undefined;

const toy: ToyState = { K: 256, N: 32, s: 16, sPrime: 8, temperature: 0.2, queueSeed: 7, queryAngle: 0.6 };
let lastToy: ToyResult | undefined;

function renderToy(): void {
  const r = computeToy(toy);
  lastToy = r;
  drawCircle($<HTMLCanvasElement>('circle'), r);
  const { lo, below } = drawHistogram($<HTMLCanvasElement>('histogram'), r);
  $('histogram-caption').textContent = `similarity to the query, from ${lo.toFixed(2)} to 1 (${below} of ${toy.K} queue keys lie below)`;
  $('toy-readout').textContent =
    `N hardest: ${r.hardest.length} · h: ${r.mixed.length / 2} · h′: ${r.queryMixed.length / 2} · ` +
    `loss without MoCHi (MoCo) ${r.lossMoco.toFixed(4)} · with MoCHi ${r.lossMochi.toFixed(4)}`;
  for (const id of ['N', 's', 'sPrime', 'tau']) {
    const input = $<HTMLInputElement>(id);
    (input.nextElementSibling as HTMLOutputElement).value = input.value;
  }
}

function wireToy(): void {
  for (const [id, key] of [['N', 'N'], ['s', 's'], ['sPrime', 'sPrime'], ['tau', 'temperature']] as const) {
    $<HTMLInputElement>(id).addEventListener('input', (e) => {
      toy[key] = Number((e.target as HTMLInputElement).value);
      renderToy();
    });
  }
  $('redraw').addEventListener('click', () => {
    toy.queueSeed++;
    renderToy();
  });
  const circle = $<HTMLCanvasElement>('circle');
  let dragging = false;
  const moveTo = (e: PointerEvent) => {
    const box = circle.getBoundingClientRect();
    toy.queryAngle = Math.atan2(box.top + box.height / 2 - e.clientY, e.clientX - box.left - box.width / 2);
    renderToy();
  };
  circle.addEventListener('pointerdown', (e) => {
    dragging = true;
    circle.setPointerCapture(e.pointerId);
    moveTo(e);
  });
  circle.addEventListener('pointermove', (e) => dragging && moveTo(e));
  circle.addEventListener('pointerup', () => (dragging = false));
}

const curves: Record<RunName, { loss: [number, number][]; knn: [number, number][]; proxy: [number, number][] }> = {
  moco: { loss: [], knn: [], proxy: [] },
  mochi: { loss: [], knn: [], proxy: [] },
};
const COLORS: Record<RunName, string> = { moco: '#5f6368', mochi: '#d93025' };
let trainPaused = false;

function renderCharts(): void {
  const runs: RunName[] = ['moco', 'mochi'];
  drawLines($<HTMLCanvasElement>('chart-loss'), runs.map((r) => ({ color: COLORS[r], points: curves[r].loss })));
  drawLines($<HTMLCanvasElement>('chart-knn'), runs.map((r) => ({ color: COLORS[r], points: curves[r].knn })), [0, 1]);
  drawLines($<HTMLCanvasElement>('chart-proxy'), runs.map((r) => ({ color: COLORS[r], points: curves[r].proxy })), [0, 1]);
  const latest = (r: RunName) => {
    const c = curves[r];
    const knn = c.knn.at(-1)?.[1];
    return `${r === 'moco' ? 'MoCo' : 'MoCHi'}: loss ${c.loss.at(-1)?.[1].toFixed(3) ?? '–'}, kNN ${knn?.toFixed(3) ?? '–'}`;
  };
  $('train-latest').textContent = `· ${latest('moco')} · ${latest('mochi')}`;
}

function startTraining(): void {
  const worker = new Worker(new URL('./trainWorker.ts', import.meta.url), { type: 'module' });
  let pending = false;
  worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
    const m = event.data;
    if (m.type === 'engine') $('train-backend').textContent = m.line;
    else if (m.type === 'data') {
      $('train-status').textContent = `training on ${m.train} digits`;
      $<HTMLButtonElement>('pause').disabled = false;
    } else if (m.type === 'step') {
      if (m.queueFull) curves[m.run].loss.push([m.step, m.loss]);
      $('train-speed').textContent = m.stepsPerSecond.toFixed(1);
      $('train-status').textContent = m.queueFull ? `step ${m.step}` : `step ${m.step} (filling the queue)`;
    } else if (m.type === 'eval') {
      curves[m.run].knn.push([m.step, m.knnTop1]);
      curves[m.run].proxy.push([m.step, m.proxyAcc]);
    } else if (m.type === 'paused') {
      trainPaused = m.paused;
      $('pause').textContent = m.paused ? 'Resume' : 'Pause';
      $('train-status').textContent = m.paused ? 'paused' : 'training';
    } else if (m.type === 'error') {
      $('train-status').textContent = `error: ${m.message}`;
      throw new Error(`training worker: ${m.message}`);
    }
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        renderCharts();
      });
    }
  });
  worker.addEventListener('error', (e) => {
    $('train-status').textContent = `worker error: ${e.message}`;
  });
  $('pause').addEventListener('click', () => worker.postMessage({ type: trainPaused ? 'resume' : 'pause' }));
  worker.postMessage({ type: 'start', digitsUrl: new URL('mnist-digits.bin', document.baseURI).href, ...(backend ? { backend } : {}) });
}

declare global {
  interface Window {
    hardnegPlayground: { toy: () => ToyResult | undefined; curves: typeof curves; engine?: string };
  }
}
window.hardnegPlayground = { toy: () => lastToy, curves };

const engine = await startEngine(backend);
window.hardnegPlayground.engine = engine.info.backend;
$('engine').textContent = engine.line;
wireToy();
renderToy();
if (params.get('train') !== '0') startTraining();
