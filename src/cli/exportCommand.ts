/**
 * `hardneg export (--run runs/x | --model PATH) -o model.safetensors`: the weights as safetensors
 * in PyTorch's names and layouts, and beside it `<name>.json` describing the architecture, the
 * input layout and every tensor, which `examples/load_in_pytorch.py` rebuilds in PyTorch.
 * Both files are written atomically, after every check.
 */
import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { featureDim, embeddingDim, type EncoderConfig } from '../models/encoder.js';
import { ENCODER_KIND } from '../models/encoderFile.js';
import type { NamedTensor } from '../models/safetensors.js';
import { encoderToTorch } from '../models/torchLayout.js';
import { saveWeightFile } from '../models/weightFile.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { startEngine, type GlobalOptions } from './engineOption.js';
import { UsageError } from './errors.js';
import { disposeModel, openModel, type OpenedModel } from './modelSource.js';

export const EXPORT_FORMAT = 'hardneg-export';

/** `model.json`: what PyTorch needs to rebuild the module the tensors belong to. */
export function describeExport(opened: OpenedModel, weights: string, tensors: NamedTensor[]): Record<string, unknown> {
  const base = { format: EXPORT_FORMAT, formatVersion: 1, weights, tensors: tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })) };
  if (opened.kind === 'adapter') {
    const { dim, kind, hidden } = opened.adapter.config;
    return { ...base, kind: 'adapter', architecture: { kind, dim, hidden }, input: { layout: 'vectors', shape: [dim] }, output: { dim, normalized: true } };
  }
  if (opened.kind === 'text-encoder') {
    return { ...base, kind: 'text-encoder', architecture: opened.encoder.config, input: { layout: 'hashed n-gram features (models/textFeatures.ts)' }, output: { dim: opened.encoder.config.dim, normalized: true } };
  }
  const config: EncoderConfig = opened.config;
  const b = config.backbone;
  const input = b.kind === 'mlp'
    ? { layout: 'flat', shape: [b.inputDim], note: 'images flattened in H, W, C order, values in [0, 1]' }
    : { layout: 'NCHW', shape: [b.inputShape[2], b.inputShape[0], b.inputShape[1]], note: 'values in [0, 1]; hardneg itself feeds NHWC' };
  return {
    ...base,
    kind: ENCODER_KIND,
    architecture: config,
    input,
    output: { backbone: featureDim(config), head: config.head ? embeddingDim(config) : null, normalized: false },
    ...(b.kind === 'cnn' && b.batchNorm ? { batchNorm: { eps: 1e-5, momentum: 0.1 } } : {}),
  };
}

export function exportCommand(): Command {
  return new Command('export')
    .description('write a model as safetensors (PyTorch names and layouts) plus <name>.json describing it (see docs/export.md)')
    .option('--run <dir>', "a training run (its last checkpoint's encoder)")
    .option('--model <path>', 'a saved model directory, or a safetensors encoder / adapter / text encoder')
    .requiredOption('-o, --output <file.safetensors>', 'the weights file; the description goes beside it as <name>.json')
    .option('--json', 'print one JSON line with the written paths')
    .action(async (flags: { run?: string; model?: string; output: string; json?: boolean }, cmd: Command) => {
      if (!flags.output.endsWith('.safetensors')) throw new UsageError(`-o: expected a path ending in .safetensors, got ${flags.output}`);
      const described = join(dirname(flags.output), `${basename(flags.output, '.safetensors')}.json`);
      await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const opened = await openModel(flags);
      try {
        const tensors =
          opened.kind === 'encoder' ? encoderToTorch(opened.model, opened.config) : opened.kind === 'adapter' ? opened.adapter.tensors() : opened.encoder.tensors();
        const kind = opened.kind === 'text-encoder' ? 'hashed-text-encoder' : opened.kind;
        const config = opened.kind === 'encoder' ? opened.config : opened.kind === 'adapter' ? opened.adapter.config : opened.encoder.config;
        saveWeightFile(flags.output, { kind, config, tensors });
        writeFileAtomic(described, `${JSON.stringify(describeExport(opened, basename(flags.output), tensors), null, 2)}\n`);
        const values = tensors.reduce((s, t) => s + t.data.length, 0);
        console.error(`exported ${opened.kind} ${opened.source}: ${tensors.length} tensors (${values} values) → ${flags.output}, ${described}`);
        if (flags.json) console.log(JSON.stringify({ kind: opened.kind, weights: flags.output, description: described, tensors: tensors.length, values }));
      } finally {
        disposeModel(opened);
      }
    });
}
