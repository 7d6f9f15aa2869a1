/**
 * Starting hardneg's engine in the page and in the worker: WebGPU (registered by importing its
 * backend), then WebGL, then wasm, then cpu, each falling back to the next. The wasm binaries
 * are bundled as assets by Vite (`?url`) and handed to `initEngine` as `wasmPaths`.
 */
import '@tensorflow/tfjs-backend-webgpu';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import { describeEngine, initEngine, type EngineInfo } from 'hardneg';

export const wasmPaths = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

/** `backend` from the page's `?backend=` parameter, if any; otherwise the best that starts. */
export async function startEngine(backend?: string): Promise<{ info: EngineInfo; line: string }> {
  const info = await initEngine({ wasmPaths, ...(backend ? { backend } : {}) });
  return { info, line: describeEngine(info) };
}
