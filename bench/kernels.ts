/**
 * `node --import tsx bench/kernels.ts`: what the engine's kernel work buys, kernel by kernel — each
 * fixed or native kernel timed against the stock one it replaces, in the same process. These were
 * unit-test assertions once; timings belong here, where a loaded machine gives a noisy number and
 * not a red build. Run it on a quiet machine (`uptime` first).
 *
 * Rows (median ms of several runs after a warm-up, and the ratio):
 * - wasm `transposed-matmul`: A·Bᵀ / Aᵀ·B over the plain A·B, 256×512 · 512×512 (stock: 10–100×);
 * - wasm `conv-gradients`: the input gradient over the forward 3×3 convolution, [64, 14, 14, 32];
 * - wasm `pool-gradients`: the 2×2/2 average-pool gradient of [64, 28, 28, 16], stock over fixed;
 * - wasm: hardneg's `BatchNorm` layer against `tf.layers.batchNormalization`, forward + backward of [64, 28, 28, 32];
 * - native (when the addon is built): a 256×784 · 784×512 product against the cpu backend's.
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/backend.js';
import { loadAddon } from '../src/engine/native/loadAddon.js';
import { Rng } from '../src/engine/random.js';
import { installWasmFixes, removeWasmFixes } from '../src/engine/wasm/fixes.js';
import { BatchNorm } from '../src/models/batchNorm.js';

const rng = new Rng(1);
const randn = (shape: number[]) => tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b)), shape);

/** Median wall time of `f` in ms over `runs` calls, after one warm-up call. */
function medianMs(f: () => void, runs = 7): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[runs >> 1];
}

/** Runs `measure` with the named wasm fix installed, then without it. */
function withAndWithout(fix: string, measure: () => number): [number, number] {
  const fixed = measure();
  removeWasmFixes([fix]);
  try {
    return [fixed, measure()];
  } finally {
    installWasmFixes([fix]);
  }
}

function row(what: string, detail: string) {
  console.log(`${what.padEnd(34)} ${detail}`);
}

await initEngine({ backend: 'wasm' });

const transposedSlowdown = () => {
  const [a, aT, b] = [randn([256, 512]), randn([512, 256]), randn([512, 512])];
  const time = (x: tf.Tensor, ta: boolean, tb: boolean) => medianMs(() => tf.matMul(x as tf.Tensor2D, b as tf.Tensor2D, ta, tb).dispose());
  const ratio = Math.max(time(a, false, true), time(aT, true, false)) / time(a, false, false);
  tf.dispose([a, aT, b]);
  return ratio;
};
const [tFixed, tStock] = withAndWithout('transposed-matmul', transposedSlowdown);
row('wasm transposed-matmul', `transposed / plain product: fixed ${tFixed.toFixed(1)}×, stock ${tStock.toFixed(1)}×`);

const inputGradientSlowdown = () => {
  const [x, f] = [randn([64, 14, 14, 32]) as tf.Tensor4D, randn([3, 3, 32, 32]) as tf.Tensor4D];
  const dy = tf.conv2d(x, f, 1, 'same');
  const ratio = medianMs(() => tf.conv2dTranspose(dy, f, x.shape, 1, 'same').dispose()) / medianMs(() => tf.conv2d(x, f, 1, 'same').dispose());
  tf.dispose([x, f, dy]);
  return ratio;
};
const [cFixed, cStock] = withAndWithout('conv-gradients', inputGradientSlowdown);
row('wasm conv-gradients', `input gradient / forward: fixed ${cFixed.toFixed(1)}×, stock ${cStock.toFixed(1)}×`);

const poolGradientMs = () => {
  const [x, dy] = [randn([64, 28, 28, 16]), randn([64, 14, 14, 16])];
  const ms = medianMs(() => (tf.engine().runKernel('AvgPoolGrad', { dy, input: x }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor).dispose());
  tf.dispose([x, dy]);
  return ms;
};
const [pFixed, pStock] = withAndWithout('pool-gradients', poolGradientMs);
row('wasm pool-gradients', `fixed ${pFixed.toFixed(2)} ms, stock ${pStock.toFixed(2)} ms: ${(pStock / pFixed).toFixed(1)}× faster`);

const batchNormMs = (layer: tf.layers.Layer) => {
  const x = tf.variable(randn([64, 28, 28, 32]));
  layer.apply(tf.input({ shape: [28, 28, 32] }));
  const vars = [x, ...layer.trainableWeights.map((v) => v.read() as tf.Variable)];
  const ms = medianMs(() =>
    tf
      .tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
        return [value, ...Object.values(grads)];
      })
      .forEach((t) => t.dispose()),
  );
  x.dispose();
  return ms;
};
const ours = batchNormMs(new BatchNorm());
const stockBn = batchNormMs(tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }));
row('wasm BatchNorm layer', `hardneg ${ours.toFixed(1)} ms, tf.layers ${stockBn.toFixed(1)} ms: ${(stockBn / ours).toFixed(1)}× faster`);

if ((await loadAddon()) !== undefined) {
  await initEngine({ backend: 'native' });
  const [a, b] = [randn([256, 784]) as tf.Tensor2D, randn([784, 512]) as tf.Tensor2D];
  const time = (backend: string) => {
    tf.setBackend(backend);
    return medianMs(() => tf.matMul(a, b).dispose(), 3);
  };
  const [native, cpu] = [time('native'), time('cpu')];
  tf.dispose([a, b]);
  row('native matMul 256×784 · 784×512', `native ${native.toFixed(2)} ms, cpu ${cpu.toFixed(1)} ms: ${(cpu / native).toFixed(0)}× faster`);
} else {
  row('native matMul', 'skipped: the native addon is not built');
}
