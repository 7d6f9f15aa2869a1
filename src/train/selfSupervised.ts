/**
 * Self-supervised training on images: MoCo v2 (query/key encoders, EMA momentum, memory queue,
 * InfoNCE at τ) with an optional MoCHi block from `mochi.startEpoch` on, or an in-batch two-view
 * loss (NT-Xent / HCL / DCL, SimCLR-style, no key encoder or queue).
 *
 * Each step draws two augmented views of a batch (batch order and augmentations are functions of
 * (seed, epoch, step), so a resumed run sees exactly what an uninterrupted one would); after each
 * epoch it logs loss, learning rate, time, weighted-kNN top-1/top-5 of the backbone features on
 * the test split (every `eval.every` epochs and after the last) and (MoCo) the hardness
 * diagnostics, and writes a checkpoint. The learning rate
 * follows a cosine schedule with linear warm-up, per step.
 */
import * as tf from '../engine/tf.js';
import { BatchSchedule, mixSeed, stepRng } from '../data/batching.js';
import type { TrainTest } from '../data/split.js';
import { augmentConfig, type AugmentOverrides } from '../data/augment/config.js';
import { Rng } from '../engine/random.js';
import { hardnessDiagnostics } from '../eval/hardness.js';
import { knnClassify } from '../eval/knn.js';
import { LOSSES, lossEntry } from '../losses/registry.js';
import { buildEncoder, embeddingDim } from '../models/encoder.js';
import { momentumCopy } from '../models/momentumEncoder.js';
import { encodeKeys, hasBatchNorm } from '../models/shuffledBatchNorm.js';
import { backboneOf } from '../models/projectionHead.js';
import { MemoryQueue } from '../negatives/memoryQueue.js';
import { l2Normalize } from '../ops/normalize.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { evaluationDue, runEpochs, stepPlan, type TrainHooks, type TrainResult } from './epochLoop.js';
import { augmentedViews, datasetFeatures } from './features.js';
import { mocoStep, type MocoState } from './mocoStep.js';
import { buildOptimizer, restoreOptimizerState } from '../optim/optimizers.js';
import { guardedMinimize } from '../optim/guardedStep.js';
import { RunWriter, type Metrics } from './runWriter.js';

/**
 * kNN top-1/top-5 of the backbone's features, train split as the bank (or `knnBank`, half the
 * labelled test source, when the training set has no labels), test split as queries.
 */
export function knnMetrics(model: tf.LayersModel, data: TrainTest, config: TrainConfig): { knn_top1: number; knn_top5: number; features: tf.Tensor2D } {
  const backbone = config.encoder.head ? backboneOf(model) : model;
  const bankSet = data.knnBank ?? data.train;
  const bank = datasetFeatures(backbone, bankSet);
  const test = datasetFeatures(backbone, data.test);
  const r = knnClassify(bank, bankSet.labels, test, data.test.labels, { k: config.eval.knnK, temperature: config.eval.knnTemperature });
  bank.dispose();
  return { knn_top1: r.top1, knn_top5: r.top5, features: test };
}

export async function trainSelfSupervised(config: TrainConfig, data: TrainTest, run: RunWriter, resume: boolean, hooks: TrainHooks = {}): Promise<TrainResult> {
  const { seed, epochs, batchSize, moco } = config;
  const aug = augmentConfig(config.augment as AugmentOverrides);
  const { schedule, steps, lr } = stepPlan(config, data.train.labels.length, batchSize);
  const optimizer = buildOptimizer(config.optimizer);
  const useQueue = LOSSES[moco.loss].kind === 'queue';

  const checkpoint = resume ? await loadCheckpoint(run.path) : undefined;
  const model = checkpoint?.model ?? buildEncoder(config.encoder, new Rng(seed));
  const keyModel = useQueue ? (checkpoint?.keyModel ?? momentumCopy(model)) : undefined;
  if (keyModel) keyModel.trainable = false;
  const queue = useQueue ? (checkpoint?.queue ?? new MemoryQueue(moco.queue, embeddingDim(config.encoder))) : undefined;
  if (checkpoint?.optimizerState) await restoreOptimizerState(optimizer, checkpoint.optimizerState);
  const start = checkpoint?.position ?? { epoch: 0, step: 0 };
  const inputShape = model.inputs[0].shape;
  const varList = () => model.trainableWeights.map((w) => w.read() as tf.Variable);

  const interrupted = await runEpochs({
    epochs,
    stepsPerEpoch: steps,
    start,
    run,
    hooks,
    optimizer,
    lr,
    nonFinite: config.nonFinite,
    suspects: `optimizer.lr ${config.optimizer.lr} too high, or moco.temperature ${moco.temperature} too low`,
    step: (epoch, step) => {
      const indices = schedule.batch(epoch, step);
      const [xq, xk] = augmentedViews(data.train, indices, stepRng(seed, epoch, step), aug, inputShape);
      try {
        if (useQueue) {
          const mixing = moco.mochi !== null && epoch >= moco.mochi.startEpoch;
          const state: MocoState = {
            queryEncoder: model, keyEncoder: keyModel!, queue: queue!, optimizer, momentum: moco.momentum, temperature: moco.temperature,
            mochi: mixing ? { ...moco.mochi!, rng: new Rng(mixSeed(seed, epoch, step, 0x3c41)) } : undefined,
            rng: new Rng(mixSeed(seed, epoch, step, 0x5bf1)), // the key shuffle of shuffled BN
          };
          return mocoStep(state, xq, xk, data.knnBank ? undefined : Array.from(indices, (i) => data.train.labels[i]));
        }
        const { fn } = lossEntry(moco.loss, 'pair');
        return guardedMinimize(optimizer, () => {
          const z1 = model.apply(xq, { training: true }) as tf.Tensor2D;
          const z2 = model.apply(xk, { training: true }) as tf.Tensor2D;
          return fn(z1, z2, { ...moco.lossOptions, temperature: moco.temperature });
        }, varList(), model.weights.map((w) => w.read()));
      } finally {
        tf.dispose([xq, xk]);
      }
    },
    endEpoch: (epoch, meanLoss, startedAt) => {
      const metrics: Metrics & { epoch: number } = {
        epoch: epoch + 1, step: (epoch + 1) * steps, loss: meanLoss, lr: lr((epoch + 1) * steps - 1),
        seconds: (performance.now() - startedAt) / 1000,
      };
      if (evaluationDue(config, epoch)) {
        const { knn_top1, knn_top5, features } = knnMetrics(model, data, config);
        features.dispose();
        Object.assign(metrics, { knn_top1, knn_top5 });
      }
      if (queue) Object.assign(metrics, diagnose(config, data, model, keyModel!, queue, epoch, aug, schedule).metrics);
      return metrics;
    },
    save: (position) => saveCheckpoint(run.path, { model, keyModel, optimizer, queue, encoder: config.encoder, position }),
  });
  const final = interrupted ? {} : finish(config, data, run, model, keyModel, queue, aug, schedule);
  model.dispose();
  keyModel?.dispose();
  queue?.dispose();
  optimizer.dispose();
  return { run, final, interrupted };
}

/** Hardness diagnostics on the epoch's first batch (fixed views), against the current queue. */
function diagnose(config: TrainConfig, data: TrainTest, model: tf.LayersModel, keyModel: tf.LayersModel, queue: MemoryQueue, epoch: number, aug: ReturnType<typeof augmentConfig>, schedule: BatchSchedule) {
  const indices = schedule.batch(epoch, 0);
  const [xq, xk] = augmentedViews(data.train, indices, stepRng(config.seed, epoch, -1 >>> 0), aug, model.inputs[0].shape);
  const q = tf.tidy(() => l2Normalize(model.apply(xq, { training: false }) as tf.Tensor2D));
  const groups = hasBatchNorm(keyModel) && indices.length % 4 === 0 ? 4 : 1;
  const k = tf.tidy(() => l2Normalize(encodeKeys(keyModel, xk, { groups, rng: new Rng(mixSeed(config.seed, epoch, 0x5bf2)) }) as tf.Tensor2D));
  const mochi = config.moco.mochi ?? undefined;
  const report = hardnessDiagnostics(q, k, queue, {
    N: mochi?.N ?? 256,
    mochi: mochi && epoch >= mochi.startEpoch ? mochi : undefined,
    rng: new Rng(mixSeed(config.seed, epoch, 0xd1a9)),
    queryLabels: data.knnBank ? undefined : Array.from(indices, (i) => data.train.labels[i]),
  });
  tf.dispose([xq, xk, q, k]);
  return report;
}

/** The end of a run: final.json, hardness.json, the test embeddings. */
function finish(config: TrainConfig, data: TrainTest, run: RunWriter, model: tf.LayersModel, keyModel: tf.LayersModel | undefined, queue: MemoryQueue | undefined, aug: ReturnType<typeof augmentConfig>, schedule: BatchSchedule): Metrics {
  const { knn_top1, knn_top5, features } = knnMetrics(model, data, config);
  run.writeEmbeddings(features, data.test.labels);
  features.dispose();
  const history = run.metrics();
  const final: Metrics = { knn_top1, knn_top5, epochs: config.epochs, seconds: history.reduce((s, m) => s + (m.seconds ?? 0), 0) };
  if (queue && keyModel) {
    const report = diagnose(config, data, model, keyModel, queue, config.epochs - 1, aug, schedule);
    run.writeJson('hardness.json', { epoch: config.epochs, ...report.samples });
    Object.assign(final, report.metrics);
  }
  run.writeJson('final.json', final);
  return final;
}
