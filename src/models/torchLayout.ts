/**
 * hardneg's encoders in PyTorch's names and layouts, both ways (export, and `--init` from a
 * safetensors file). TensorFlow.js stores a dense kernel `[in, out]` and a convolution kernel
 * `[kh, kw, in, out]` (HWIO); PyTorch stores `nn.Linear.weight` `[out, in]` and `nn.Conv2d.weight`
 * `[out, in, kh, kw]` (OIHW). BatchNorm's γ, β, moving mean and moving variance are PyTorch's
 * `weight`, `bias`, `running_mean`, `running_var` (both keep the unbiased variance, ε = 1e-5,
 * hardneg's momentum m = 0.9 is PyTorch's 0.1), plus `num_batches_tracked` (int64, 0).
 *
 * Names (what `examples/load_in_pytorch.py` builds):
 *   MLP    backbone.linears.{i}.weight|bias
 *   CNN    backbone.stages.{s}.conv.weight[, .bias without BN]   backbone.stages.{s}.bn.*
 *          backbone.stages.{s}.blocks.{b}.conv1|bn1|conv2|bn2.*
 *   head   head.fc1.weight|bias, head.fc2.weight|bias
 */
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../ops/validate.js';
import type { EncoderConfig } from './encoder.js';
import { backboneOf, HEAD_NAME } from './projectionHead.js';
import { f32, SafetensorsError, takeF32, type NamedTensor, type SafetensorsContents } from './safetensors.js';

/** `[rows, cols]` → `[cols, rows]`, row-major. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/** HWIO `[kh, kw, in, out]` → OIHW `[out, in, kh, kw]`. */
function hwioToOihw(v: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(v.length);
  for (let h = 0; h < kh; h++) for (let w = 0; w < kw; w++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * ci + i) * kh + h) * kw + w] = v[((h * kw + w) * ci + i) * co + o];
  return out;
}

/** OIHW `[out, in, kh, kw]` → HWIO, given the HWIO shape. */
function oihwToHwio(v: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(v.length);
  for (let h = 0; h < kh; h++) for (let w = 0; w < kw; w++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((h * kw + w) * ci + i) * co + o] = v[((o * ci + i) * kh + h) * kw + w];
  return out;
}

/** One weight: the tf.js variable, its PyTorch name and shape, and the two conversions. */
interface Slot {
  variable: tf.LayerVariable;
  name: string;
  torchShape: number[];
  toTorch: (v: Float32Array) => Float32Array;
  fromTorch: (v: Float32Array) => Float32Array;
}

const same = (v: Float32Array) => v;
const BN_NAMES = ['weight', 'bias', 'running_mean', 'running_var'];

function layerSlots(layer: tf.layers.Layer, prefix: string): Slot[] {
  const kind = layer.getClassName();
  return layer.weights.map((variable, k): Slot => {
    const shape = variable.shape as number[];
    if (kind === 'HardnegBatchNorm') return { variable, name: `${prefix}.${BN_NAMES[k]}`, torchShape: shape, toTorch: same, fromTorch: same };
    const name = `${prefix}.${k === 0 ? 'weight' : 'bias'}`;
    if (k === 1) return { variable, name, torchShape: shape, toTorch: same, fromTorch: same };
    if (kind === 'Dense') {
      const [inDim, outDim] = shape;
      return { variable, name, torchShape: [outDim, inDim], toTorch: (v) => transpose2d(v, inDim, outDim), fromTorch: (v) => transpose2d(v, outDim, inDim) };
    }
    if (kind === 'Conv2D') {
      const [kh, kw, ci, co] = shape;
      return { variable, name, torchShape: [co, ci, kh, kw], toTorch: (v) => hwioToOihw(v, shape), fromTorch: (v) => oihwToHwio(v, shape) };
    }
    throw new ArgumentError(`torchLayout: layer ${layer.name} (${kind}) has no PyTorch mapping`);
  });
}

/** The PyTorch prefixes of a backbone's weighted layers, in the order `cnn()` / `mlp()` create them. */
function backbonePrefixes(config: EncoderConfig): string[] {
  const b = config.backbone;
  if (b.kind === 'mlp') return [...b.hidden, b.outputDim].map((_w, i) => `backbone.linears.${i}`);
  const perConv = (p: string, n: string) => (b.batchNorm ? [`${p}.conv${n}`, `${p}.bn${n}`] : [`${p}.conv${n}`]);
  return b.widths.flatMap((_w, s) => [
    ...perConv(`backbone.stages.${s}`, ''),
    ...Array.from({ length: b.blocks }, (_v, k) => [...perConv(`backbone.stages.${s}.blocks.${k}`, '1'), ...perConv(`backbone.stages.${s}.blocks.${k}`, '2')]).flat(),
  ]);
}

function slots(model: tf.LayersModel, config: EncoderConfig): Slot[] {
  const weighted = (m: tf.LayersModel) => m.layers.filter((l) => l.weights.length > 0);
  const backbone = weighted(backboneOf(model));
  const prefixes = backbonePrefixes(config);
  if (backbone.length !== prefixes.length) {
    throw new ArgumentError(`torchLayout: the model has ${backbone.length} weighted backbone layers, its config describes ${prefixes.length}`);
  }
  const out = backbone.flatMap((layer, i) => layerSlots(layer, prefixes[i]));
  const head = model.layers.find((l) => l.name === HEAD_NAME);
  if (config.head) {
    if (!(head instanceof tf.LayersModel)) throw new ArgumentError('torchLayout: the config has a head, the model has none');
    weighted(head).forEach((layer, i) => out.push(...layerSlots(layer, `head.fc${i + 1}`)));
  }
  return out;
}

/** The encoder's weights as PyTorch tensors (names in the header above; BN's `num_batches_tracked` included). */
export function encoderToTorch(model: tf.LayersModel, config: EncoderConfig): NamedTensor[] {
  const out: NamedTensor[] = [];
  for (const s of slots(model, config)) {
    out.push(f32(s.name, s.torchShape, s.toTorch(s.variable.read().dataSync() as Float32Array)));
    if (s.name.endsWith('.running_var')) out.push({ name: s.name.replace(/running_var$/, 'num_batches_tracked'), dtype: 'I64', shape: [], data: new BigInt64Array(1) });
  }
  return out;
}

/** Sets the encoder's weights from PyTorch tensors (every slot must be present, with its shape); names the file on error. */
export function encoderFromTorch(model: tf.LayersModel, config: EncoderConfig, contents: SafetensorsContents, source: string): void {
  const all = slots(model, config);
  const values = all.map((s) => s.fromTorch(takeF32(contents, s.name, s.torchShape, source)));
  const known = new Set(all.flatMap((s) => [s.name, s.name.replace(/running_var$/, 'num_batches_tracked')]));
  const extra = contents.tensors.find((t) => !known.has(t.name));
  if (extra) throw new SafetensorsError(`${source}: tensor '${extra.name}' has no place in the encoder its config describes`);
  all.forEach((s, i) => tf.tidy(() => {
    s.variable.write(tf.tensor(values[i], s.variable.shape as number[]));
  }));
}
