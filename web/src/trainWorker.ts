/**
 * MoCo vs MoCHi on MNIST digits, in a Web Worker so the page stays responsive. Both runs start
 * from the same weights and see the same augmented batches (hardneg's `twoViews`); each step is
 * hardneg's `mocoStep` (MoCHi's mixing once the queue holds N keys). Every EVAL_EVERY steps: kNN
 * top-1 on the held-out digits and the proxy-task accuracy of the last batch.
 */
import * as tf from '@tensorflow/tfjs';
import { DIGIT_AUGMENT, MemoryQueue, Rng, SGD, hardnessDiagnostics, knnClassify, l2Normalize, mlp, mocoStep, momentumCopy, twoViews, type MocoState } from 'hardneg';
import { startEngine } from './engine.js';
import type { FromWorker, RunName, ToWorker } from './protocol.js';

const BATCH = 64;
const QUEUE = 1024;
const DIM = 64;
const MOCHI = { N: 128, s: 64, sPrime: 32 };
const TEST_PER_CLASS = 50;
const EVAL_EVERY = 20;

const post = (message: FromWorker) => (globalThis as unknown as { postMessage(m: FromWorker): void }).postMessage(message);

interface Digits {
  train: { images: Float32Array; labels: Int32Array; shape: [number, number, number, number] };
  test: { images: Float32Array; labels: Int32Array };
}

/** Parses `mnist-digits.bin` (see web/digitsAsset.ts); the last TEST_PER_CLASS of each digit are held out. */
function parseDigits(bytes: Uint8Array): Digits {
  const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  if (bytes.length !== 4 + count * 785) throw new Error(`mnist-digits.bin: ${bytes.length} bytes, expected ${4 + count * 785} for ${count} digits`);
  const labels = bytes.subarray(4 + count * 784);
  const perClass = count / 10;
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (let i = 0, seen = new Array<number>(10).fill(0); i < count; i++) (seen[labels[i]]++ < perClass - TEST_PER_CLASS ? trainIdx : testIdx).push(i);
  const take = (idx: number[]) => {
    const images = new Float32Array(idx.length * 784);
    idx.forEach((i, r) => {
      for (let p = 0; p < 784; p++) images[r * 784 + p] = bytes[4 + i * 784 + p] / 255;
    });
    return { images, labels: Int32Array.from(idx, (i) => labels[i]) };
  };
  const train = take(trainIdx);
  return { train: { ...train, shape: [trainIdx.length, 28, 28, 1] }, test: take(testIdx) };
}

function newRun(withMochi: boolean): MocoState {
  const queryEncoder = mlp({ inputDim: 784, hidden: [256], outputDim: DIM }, new Rng(0));
  return {
    queryEncoder,
    keyEncoder: momentumCopy(queryEncoder),
    queue: new MemoryQueue(QUEUE, DIM),
    optimizer: new SGD(0.1, 0.9, 1e-4),
    momentum: 0.99,
    temperature: 0.1,
    ...(withMochi ? { mochi: { ...MOCHI, rng: new Rng(1) } } : {}),
    rng: new Rng(2),
  };
}

function embed(model: tf.LayersModel, images: Float32Array): tf.Tensor2D {
  return tf.tidy(() => l2Normalize(model.predict(tf.tensor2d(images, [images.length / 784, 784])) as tf.Tensor2D));
}

let paused = false;
let wake: (() => void) | undefined;

async function train(digitsUrl: string, backend?: string): Promise<void> {
  const engine = await startEngine(backend);
  post({ type: 'engine', backend: engine.info.backend, line: engine.line });
  const response = await fetch(digitsUrl);
  if (!response.ok) throw new Error(`${digitsUrl}: HTTP ${response.status}`);
  const digits = parseDigits(new Uint8Array(await response.arrayBuffer()));
  post({ type: 'data', train: digits.train.labels.length, test: digits.test.labels.length });
  const runs: [RunName, MocoState][] = [['moco', newRun(false)], ['mochi', newRun(true)]];
  const rng = new Rng(3);
  const diagnosticsRng = new Rng(4);
  const times: number[] = [];
  for (let step = 1; ; step++) {
    if (paused) await new Promise<void>((resolve) => (wake = resolve));
    const indices = Array.from({ length: BATCH }, () => rng.int(digits.train.labels.length));
    const [a, b] = twoViews(digits.train, indices, rng, DIGIT_AUGMENT);
    const xq = tf.tensor2d(a, [BATCH, 784]);
    const xk = tf.tensor2d(b, [BATCH, 784]);
    times.push(performance.now());
    if (times.length > 11) times.shift();
    const stepsPerSecond = times.length > 1 ? (1000 * (times.length - 1)) / (times[times.length - 1] - times[0]) : 0;
    for (const [run, state] of runs) {
      // The loss counts every queue key as a negative: it rises while the queue fills.
      const queueFull = state.queue.filled === QUEUE;
      const loss = mocoStep(state, xq, xk);
      post({ type: 'step', run, step, loss, stepsPerSecond, queueFull });
      if (step % EVAL_EVERY === 0) {
        const bank = embed(state.queryEncoder, digits.train.images);
        const test = embed(state.queryEncoder, digits.test.images);
        const { top1 } = knnClassify(bank, digits.train.labels, test, digits.test.labels, { k: 20 });
        const q = embed(state.queryEncoder, a);
        const k = embed(state.keyEncoder, b);
        const { metrics } = hardnessDiagnostics(q, k, state.queue, { N: MOCHI.N, ...(state.mochi ? { mochi: MOCHI } : {}), rng: diagnosticsRng });
        tf.dispose([bank, test, q, k]);
        post({ type: 'eval', run, step, knnTop1: top1, proxyAcc: metrics.proxy_acc });
      }
    }
    tf.dispose([xq, xk]);
    // Let pause/resume messages in between steps.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

globalThis.addEventListener('message', (event: Event) => {
  const message = (event as MessageEvent<ToWorker>).data;
  if (message.type === 'start') {
    train(message.digitsUrl, message.backend).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
  } else {
    paused = message.type === 'pause';
    if (!paused) wake?.();
    post({ type: 'paused', paused });
  }
});
