/**
 * Weight files: one safetensors file (`safetensors.ts`) holding a model's float32 weights in
 * PyTorch's layout and names, with hardneg's configuration in the header's `__metadata__`
 * (`hardneg.kind`, `hardneg.config` as JSON), written atomically. The text encoder, the adapter
 * and `hardneg export` write these; PyTorch's `safetensors.torch.load_file` reads them as a
 * state dict. Training runs checkpoint differently (`train/checkpoint.ts`, a directory).
 */
import { writeFileAtomic } from '../util/atomicWrite.js';
import { readFileOr } from '../util/readFile.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type NamedTensor, type SafetensorsContents } from './safetensors.js';

export interface WeightFile<C> {
  kind: string;
  config: C;
  tensors: NamedTensor[];
}

/** Writes `file` as safetensors to `path`, atomically. */
export function saveWeightFile<C>(path: string, file: WeightFile<C>): void {
  const metadata = { format: 'pt', 'hardneg.kind': file.kind, 'hardneg.config': JSON.stringify(file.config) };
  writeFileAtomic(path, encodeSafetensors(file.tensors, metadata));
}

/** Reads and parses a safetensors file; errors name the file. */
export function readSafetensorsFile(path: string): SafetensorsContents {
  const bytes = readFileOr(path, (code) => new SafetensorsError(`${path}: cannot read weight file (${code})`));
  return decodeSafetensors(bytes, path);
}

/** Reads a weight file written by `saveWeightFile`; its `hardneg.kind` must be `kind`. */
export function loadWeightFile<C>(path: string, kind: string): WeightFile<C> & { contents: SafetensorsContents } {
  const contents = readSafetensorsFile(path);
  const stored = contents.metadata['hardneg.kind'];
  if (stored === undefined) throw new SafetensorsError(`${path}: a safetensors file without hardneg's metadata (hardneg.kind); expected a '${kind}'`);
  if (stored !== kind) throw new SafetensorsError(`${path}: holds a '${stored}', expected a '${kind}'`);
  let config: C;
  try {
    config = JSON.parse(contents.metadata['hardneg.config'] ?? '') as C;
  } catch {
    throw new SafetensorsError(`${path}: its hardneg.config metadata is not JSON`);
  }
  return { kind, config, tensors: contents.tensors, contents };
}
