/**
 * `hardneg embed (--run runs/x | --model PATH) --input <folder|npy|idx|jsonl> -o out.npy|out.jsonl`:
 * one vector per input, `--batch` rows at a time, so inputs larger than memory stream through.
 * Image encoders embed images (the backbone's features, or `--head` the projection head's output);
 * adapters embed vectors (NPY `[n, D]` or JSONL `{"id", "vector"}`); text encoders embed JSONL
 * `{"id", "text"}`. Output: NPY `[n, dim]` float32 (rows in input order), or JSONL
 * `{"id", "vector"}` keeping the input's ids (a folder's ids are the image paths under it, an
 * array's the row numbers). The output is written to a temporary file and renamed at the end.
 */
import { extname } from 'node:path';
import { Command } from 'commander';
import * as tf from '../engine/tf.js';
import { openImageRows, type ImageRows } from '../data/imageRows.js';
import { NpyRowWriter } from '../data/npyRowWriter.js';
import { openRecords } from '../data/records.js';
import { backboneOf, HEAD_NAME } from '../models/projectionHead.js';
import { AtomicFileWriter } from '../util/atomicWrite.js';
import { startEngine, type GlobalOptions } from './engineOption.js';
import { UsageError } from './errors.js';
import { disposeModel, openModel, type OpenedModel } from './modelSource.js';
import { positiveInt } from './options.js';
import { progressBar } from './progress.js';

interface EmbedFlags { run?: string; model?: string; input: string; output: string; batch: number; head?: boolean; backbone?: boolean; json?: boolean }

/** A batch of inputs → its embeddings `[n, dim]`. */
type Embed = (inputs: Float32Array | string[], count: number) => Float32Array;

/** The embedding function of an image encoder for rows of `rowShape` from `source`; checks the shapes first. */
function encoderEmbed(opened: OpenedModel & { kind: 'encoder' }, rowShape: number[], source: string, head: boolean): { embed: Embed; dim: number } {
  const b = opened.config.backbone;
  const size = rowShape.reduce((p, d) => p * d, 1);
  if (b.kind === 'mlp' && size !== b.inputDim) throw new UsageError(`--input: ${source} has rows of [${rowShape.join(', ')}] (${size} values); the encoder takes ${b.inputDim}`);
  if (b.kind === 'cnn') {
    const [h, w, c] = b.inputShape;
    const fits = rowShape.length >= 2 && rowShape[0] === h && rowShape[1] === w && (rowShape[2] ?? 1) === c && rowShape.length <= 3;
    if (!fits) throw new UsageError(`--input: ${source} has rows of [${rowShape.join(', ')}]; the encoder takes images [${h}, ${w}, ${c}]`);
  }
  const backbone = backboneOf(opened.model);
  const headModel = opened.model.layers.find((l) => l.name === HEAD_NAME) as tf.LayersModel | undefined;
  if (head && !headModel) throw new UsageError(`--head: ${opened.source} has no projection head`);
  const dim = head ? opened.config.head!.outputDim : b.kind === 'mlp' ? b.outputDim : b.widths[b.widths.length - 1];
  const embed: Embed = (inputs, count) => {
    const out = tf.tidy(() => {
      const x = b.kind === 'mlp' ? tf.tensor2d(inputs as Float32Array, [count, size]) : tf.tensor4d(inputs as Float32Array, [count, ...b.inputShape]);
      const features = backbone.predict(x) as tf.Tensor;
      return head ? (headModel!.predict(features) as tf.Tensor) : features;
    });
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return values;
  };
  return { embed, dim };
}

/** Streams batches of `{ ids, inputs }` from the input file or folder. */
function* batches(flags: EmbedFlags, opened: OpenedModel, onProgress: (done: number, total: number) => void): Generator<{ ids: string[]; inputs: Float32Array | string[]; rowShape: number[] }> {
  if (extname(flags.input) === '.jsonl') {
    const file = openRecords(flags.input);
    const cursor = file.open();
    try {
      for (;;) {
        const { items, vectors } = cursor.take(flags.batch);
        if (items.length === 0) return;
        onProgress(cursor.bytesRead, file.bytes);
        yield { ids: items.map((i) => i.id), inputs: vectors ?? items.map((i) => i.text ?? ''), rowShape: file.content === 'vector' ? [file.dim!] : [] };
      }
    } finally {
      cursor.close();
    }
  }
  const shape = opened.kind === 'encoder' && opened.config.backbone.kind === 'cnn' ? opened.config.backbone.inputShape : undefined;
  const rows: ImageRows = openImageRows(flags.input, shape);
  for (let start = 0; start < rows.rows; start += flags.batch) {
    const end = Math.min(rows.rows, start + flags.batch);
    onProgress(end, rows.rows);
    yield { ids: Array.from({ length: end - start }, (_v, k) => rows.id(start + k)), inputs: rows.read(start, end), rowShape: rows.rowShape };
  }
}

/** The embedding function for the first batch's kind of input. */
function embedderFor(opened: OpenedModel, first: { inputs: Float32Array | string[]; rowShape: number[] }, flags: EmbedFlags): { embed: Embed; dim: number } {
  const texts = Array.isArray(first.inputs);
  if (opened.kind === 'text-encoder') {
    if (!texts) throw new UsageError(`--input: a text encoder embeds JSONL {"id", "text"} records; ${flags.input} holds vectors or images`);
    return { embed: (inputs) => opened.encoder.encode(inputs as string[]), dim: opened.encoder.config.dim };
  }
  if (texts) throw new UsageError(`--input: ${flags.input} holds texts; only a text encoder embeds texts (this is an ${opened.kind})`);
  if (opened.kind === 'adapter') {
    const dim = opened.adapter.config.dim;
    if (first.rowShape.length !== 1 || first.rowShape[0] !== dim) throw new UsageError(`--input: ${flags.input} has rows of [${first.rowShape.join(', ')}]; the adapter takes vectors of ${dim}`);
    return { embed: (inputs) => opened.adapter.encode(inputs as Float32Array), dim };
  }
  return encoderEmbed(opened, first.rowShape, flags.input, flags.head ?? false);
}

export function embedCommand(): Command {
  return new Command('embed')
    .description('write one vector per input (images, vectors or texts) as NPY or JSONL (see docs/export.md)')
    .option('--run <dir>', "a training run (its last checkpoint's encoder)")
    .option('--model <path>', 'a saved model directory, or a safetensors encoder / adapter / text encoder')
    .requiredOption('--input <path>', 'an image folder, .npy, IDX file, or .jsonl records')
    .requiredOption('-o, --output <file>', 'out.npy ([n, dim] float32) or out.jsonl ({"id", "vector"} lines)')
    .option('--batch <n>', 'inputs per batch', (v) => positiveInt(v, '--batch'), 512)
    .option('--backbone', "the backbone's features (the default)")
    .option('--head', "the projection head's output instead")
    .option('--json', 'print one JSON line with the count and dimension')
    .action(async (flags: EmbedFlags, cmd: Command) => {
      const format = extname(flags.output);
      if (format !== '.npy' && format !== '.jsonl') throw new UsageError(`-o: expected a path ending in .npy or .jsonl, got ${flags.output}`);
      if (flags.head && flags.backbone) throw new UsageError('give at most one of --backbone and --head');
      await startEngine(cmd.optsWithGlobals<GlobalOptions>());
      const opened = await openModel(flags);
      const bar = progressBar(100, 'embed', '{bar} {percentage}% | ETA {eta_formatted}');
      let writer: { append(ids: string[], values: Float32Array, dim: number): void; commit(): void; abort(): void } | undefined;
      let count = 0;
      let dim = 0;
      try {
        let embed: Embed | undefined;
        for (const batch of batches(flags, opened, (done, total) => bar.update(Math.round((100 * done) / Math.max(total, 1))))) {
          if (embed === undefined) {
            ({ embed, dim } = embedderFor(opened, batch, flags));
            writer = format === '.npy' ? npyWriter(flags.output, dim) : jsonlWriter(flags.output);
          }
          writer!.append(batch.ids, embed(batch.inputs, batch.ids.length), dim);
          count += batch.ids.length;
        }
        if (writer === undefined) throw new UsageError(`--input: ${flags.input} holds no inputs`);
        writer.commit();
      } catch (err) {
        writer?.abort();
        throw err;
      } finally {
        bar.stop();
        disposeModel(opened);
      }
      console.error(`embedded ${count} inputs with ${opened.source} → ${flags.output} [${count}, ${dim}]`);
      if (flags.json) console.log(JSON.stringify({ output: flags.output, rows: count, dim }));
    });
}

function npyWriter(path: string, dim: number) {
  const w = new NpyRowWriter(path, dim);
  return { append: (_ids: string[], values: Float32Array) => w.append(values), commit: () => w.commit(), abort: () => w.abort() };
}

function jsonlWriter(path: string) {
  const w = new AtomicFileWriter(path);
  return {
    append(ids: string[], values: Float32Array, dim: number) {
      w.write(ids.map((id, i) => `${JSON.stringify({ id, vector: Array.from(values.subarray(i * dim, (i + 1) * dim)) })}\n`).join(''));
    },
    commit: () => w.commit(),
    abort: () => w.abort(),
  };
}
