/**
 * The same loss computations for Node and for a browser bundle: fixed seeded inputs, explicit
 * MoCHi draws, so both sides must agree to float32 rounding. `lib` is hardneg's API (the source
 * in Node, the bundled package in the browser) and `tf` the TensorFlow.js it runs on.
 */
import type * as TF from '@tensorflow/tfjs-core';
import type * as Core from '../../src/core.js';

type Lib = Pick<typeof Core, 'infoNCE' | 'mochiLoss' | 'MemoryQueue' | 'supCon' | 'schane' | 'initEngine' | 'Rng' | 'drawMochi'>;

export interface ProbeResult {
  backend: string;
  infoNCE: number;
  mochiLoss: number;
  supCon: number;
  schane: number;
}

const [B, D, K, N, s, sPrime] = [8, 16, 64, 16, 12, 6];

export async function lossProbe(lib: Lib, tf: typeof TF, engine: Parameters<Lib['initEngine']>[0]): Promise<ProbeResult> {
  const info = await lib.initEngine(engine);
  const rng = new lib.Rng(11);
  const q = tf.tensor2d(rng.normalArray(B * D), [B, D]);
  const k = tf.tensor2d(rng.normalArray(B * D), [B, D]);
  const queue = new lib.MemoryQueue(K, D);
  const keys = tf.tensor2d(rng.normalArray(K * D), [K, D]);
  const unitKeys = tf.div(keys, tf.norm(keys, 'euclidean', 1, true)) as TF.Tensor2D;
  queue.enqueue(unitKeys);
  const draws = lib.drawMochi(new lib.Rng(12), B, N, s, sPrime);
  const labels = tf.tensor1d(Int32Array.from({ length: B }, (_, i) => i % 3), 'int32');
  const views = tf.stack([q, k], 1) as TF.Tensor3D;
  const read = (t: TF.Scalar) => {
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  };
  const out = {
    backend: info.backend,
    infoNCE: read(lib.infoNCE(q, k, { temperature: 0.2, negatives: queue.keys() })),
    mochiLoss: read(lib.mochiLoss(q, k, queue.keys(), { temperature: 0.2, N, s, sPrime, draws })),
    supCon: read(lib.supCon(views, labels, { temperature: 0.1 })),
    schane: read(lib.schane(views, labels, { temperature: 0.1 })),
  };
  tf.dispose([q, k, keys, unitKeys, labels, views]);
  queue.dispose();
  return out;
}
