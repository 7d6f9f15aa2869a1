/**
 * Supervised training on images: cross-entropy, alone or with a supervised contrastive term,
 *
 *   L = (1 − λ)·CE(classifier(f(x)), y) + λ·C(head(f(x₁)), head(f(x₂)); y),   C ∈ {SupCon, SCHaNe}
 *
 * on two augmented views per image (CE on both), from scratch or fine-tuning a saved encoder
 * (`supervised.init`: a model directory, or a `.safetensors` encoder from `hardneg export` or PyTorch), optionally few-shot (`supervised.shots` images per class, seeded). The
 * model is one graph with two outputs, the class logits and the head's embedding; after each
 * epoch it logs the losses and (every `eval.every` epochs and after the last) the test accuracy of
 * the classifier and the kNN top-1 of f.
 */
import * as tf from '../engine/tf.js';
import { mixSeed, stepRng } from '../data/batching.js';
import { subsetDataset } from '../data/dataset.js';
import type { TrainTest } from '../data/split.js';
import { augmentConfig, type AugmentOverrides } from '../data/augment/config.js';
import { Rng } from '../engine/random.js';
import { knnClassify } from '../eval/knn.js';
import { lossEntry } from '../losses/registry.js';
import { buildEncoder } from '../models/encoder.js';
import { backboneOf, BACKBONE_NAME, HEAD_NAME } from '../models/projectionHead.js';
import { loadEncoderFile } from '../models/encoderFile.js';
import { loadModel } from './savedModel.js';
import { crossEntropy } from '../ops/crossEntropy.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { evaluationDue, runEpochs, stepPlan } from './epochLoop.js';
import { augmentedViews, datasetFeatures } from './features.js';
import { buildOptimizer, restoreOptimizerState } from '../optim/optimizers.js';
import { guardedMinimize } from '../optim/guardedStep.js';
import type { RunWriter, Metrics } from './runWriter.js';
import type { TrainHooks, TrainResult } from './epochLoop.js';
import { readValues } from '../ops/readValues.js';

/** `shots` images per class, chosen by a seeded permutation. */
export function fewShot(data: TrainTest, shots: number, seed: number): TrainTest {
  const labels = data.train.labels;
  const order = new Rng(mixSeed(seed, 0x5407)).permutation(labels.length);
  const taken = new Map<number, number>();
  const chosen: number[] = [];
  for (const i of order) {
    const n = taken.get(labels[i]) ?? 0;
    if (n < shots) {
      taken.set(labels[i], n + 1);
      chosen.push(i);
    }
  }
  return { ...data, train: subsetDataset(data.train, chosen.sort((a, b) => a - b)) };
}

/** input → backbone → [classifier logits, head(features)]. */
async function buildClassifier(config: TrainConfig, classes: number, rng: Rng): Promise<tf.LayersModel> {
  const init = config.supervised.init;
  const encoder = init === null ? buildEncoder(config.encoder, rng) : init.endsWith('.safetensors') ? loadEncoderFile(init, config.encoder).model : (await loadModel(init)).model;
  const backbone = backboneOf(encoder);
  const head = encoder.layers.find((l) => l.name === HEAD_NAME);
  backbone.name = BACKBONE_NAME;
  const input = tf.input({ shape: backbone.inputs[0].shape.slice(1) as number[] });
  const features = backbone.apply(input) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: classes, name: 'classifier', kernelInitializer: tf.initializers.glorotUniform({ seed: rng.nextUint32() }) })
    .apply(features) as tf.SymbolicTensor;
  const embedding = head ? (head.apply(features) as tf.SymbolicTensor) : features;
  return tf.model({ inputs: input, outputs: [logits, embedding], name: 'supervised' });
}

export async function trainSupervised(config: TrainConfig, full: TrainTest, run: RunWriter, resume: boolean, hooks: TrainHooks = {}): Promise<TrainResult> {
  const { seed, epochs, supervised: sup } = config;
  const data = sup.shots ? fewShot(full, sup.shots, seed) : full;
  const classes = data.train.classNames.length;
  const batchSize = Math.min(config.batchSize, data.train.labels.length);
  const { schedule, steps, lr } = stepPlan(config, data.train.labels.length, batchSize);
  const aug = augmentConfig(config.augment as AugmentOverrides);
  const optimizer = buildOptimizer(config.optimizer);
  const checkpoint = resume ? await loadCheckpoint(run.path) : undefined;
  const model = checkpoint?.model ?? (await buildClassifier(config, classes, new Rng(seed)));
  if (checkpoint?.optimizerState) await restoreOptimizerState(optimizer, checkpoint.optimizerState);
  const start = checkpoint?.position ?? { epoch: 0, step: 0 };
  const inputShape = model.inputs[0].shape;
  const lambda = sup.loss === 'ce' ? 0 : sup.lambda;

  const interrupted = await runEpochs({
    epochs,
    stepsPerEpoch: steps,
    start,
    run,
    hooks,
    optimizer,
    lr,
    nonFinite: config.nonFinite,
    suspects: `optimizer.lr ${config.optimizer.lr} too high${lambda > 0 ? `, or supervised.temperature ${sup.temperature} too low` : ''}`,
    step: (epoch, step) => {
      const indices = schedule.batch(epoch, step);
      const n = indices.length;
      const views = augmentedViews(data.train, indices, stepRng(seed, epoch, step), aug, inputShape);
      const x = tf.concat(views);
      tf.dispose(views);
      const y = tf.tensor1d(Int32Array.from(indices, (i) => data.train.labels[i]), 'int32');
      const y2 = tf.concat([y, y]) as tf.Tensor1D;
      try {
        return guardedMinimize(optimizer, () => {
          const [logits, emb] = model.apply(x, { training: true }) as tf.Tensor2D[];
          const ce = crossEntropy(logits, y2);
          if (lambda === 0) return ce;
          const views = tf.stack([tf.slice(emb, [0, 0], [n, -1]), tf.slice(emb, [n, 0], [n, -1])], 1) as tf.Tensor3D; // [n, 2, D]
          const con = lossEntry(sup.loss, 'labelled').fn(views, y, { ...sup.lossOptions, temperature: sup.temperature });
          return tf.add(tf.mul(ce, 1 - lambda), tf.mul(con, lambda)) as tf.Scalar;
        }, model.trainableWeights.map((w) => w.read() as tf.Variable), model.weights.map((w) => w.read()));
      } finally {
        tf.dispose([x, y, y2]);
      }
    },
    endEpoch: (epoch, meanLoss, startedAt) => ({
      epoch: epoch + 1, step: (epoch + 1) * steps, loss: meanLoss, lr: lr((epoch + 1) * steps - 1),
      seconds: (performance.now() - startedAt) / 1000, ...(evaluationDue(config, epoch) ? evaluate(model, data, config) : {}),
    }),
    save: (position) => saveCheckpoint(run.path, { model, optimizer, encoder: config.encoder, position }),
  });
  let final: Metrics = {};
  if (!interrupted) {
    const last = run.metrics().at(-1)!;
    final = { test_top1: last.test_top1, knn_top1: last.knn_top1, knn_top5: last.knn_top5, epochs, train_images: data.train.labels.length };
    const backbone = model.getLayer(BACKBONE_NAME) as tf.LayersModel;
    const features = datasetFeatures(backbone, data.test);
    run.writeEmbeddings(features, data.test.labels);
    features.dispose();
    run.writeJson('final.json', final);
  }
  model.dispose();
  optimizer.dispose();
  return { run, final, interrupted };
}

/** Test accuracy of the classifier and kNN top-1/top-5 of the backbone features. */
function evaluate(model: tf.LayersModel, data: TrainTest, config: TrainConfig): Metrics {
  const backbone = model.getLayer(BACKBONE_NAME) as tf.LayersModel;
  const classifier = model.getLayer('classifier');
  const bank = datasetFeatures(backbone, data.train);
  const test = datasetFeatures(backbone, data.test);
  const predicted = readValues(() => tf.argMax(classifier.apply(test) as tf.Tensor2D, 1), 'int32');
  let correct = 0;
  predicted.forEach((p, i) => (correct += p === data.test.labels[i] ? 1 : 0));
  const knn = knnClassify(bank, data.train.labels, test, data.test.labels, { k: config.eval.knnK, temperature: config.eval.knnTemperature });
  tf.dispose([bank, test]);
  return { test_top1: correct / data.test.labels.length, knn_top1: knn.top1, knn_top5: knn.top5 };
}
