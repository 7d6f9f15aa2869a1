/**
 * Backend selection in Node: the portable order of `./select.ts` (wasm, cpu) with Node's own
 * backends in front. Best first: `tensorflow` (the native `@tensorflow/tfjs-node` or
 * `-node-gpu`, an optional peer the user installs), `native` (the cpu backend with its dense
 * kernels on OpenBLAS, when hardneg's optional addon is built, see `./native/`), `wasm` (the
 * portable default, with the kernel fixes of `./wasm/`), `cpu`. `initEngine({ backend })` or
 * `HARDNEG_BACKEND` forces one; `threads` or `HARDNEG_THREADS` sets the native thread count.
 */
import * as tf from './tf.js';
import { addonProblem, requireAddon } from './native/addon.js';
import { loadAddon } from './native/loadAddon.js';
import { setPoolLimit } from './native/memory.js';
import { nativeKernelNames, registerNativeBackend } from './native/nativeBackend.js';
import { initEngineOn, type BackendName, type EngineInfo, type EngineOptions, type HostBackends } from './select.js';

export { BACKENDS, describeEngine, engineInfo } from './select.js';
export type { BackendName, EngineInfo, EngineOptions, WasmPaths } from './select.js';

/** Native TensorFlow bindings are optional peers: import them only if installed. */
async function loadNative(): Promise<boolean> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(/* @vite-ignore */ pkg);
      return tf.findBackendFactory('tensorflow') !== null;
    } catch {
      // not installed: try the next one
    }
  }
  return false;
}

/** `threads`, else `HARDNEG_THREADS`, else the machine's cores; a bad value is a one-line error. */
async function threadCount(requested: number | undefined): Promise<number> {
  const fromEnv = process.env.HARDNEG_THREADS || undefined;
  const value = requested ?? (fromEnv === undefined ? undefined : Number(fromEnv));
  if (value === undefined) {
    const os = await import('node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  if (!(Number.isInteger(value) && value >= 1 && value <= 1024)) {
    const source = requested !== undefined ? 'threads' : 'HARDNEG_THREADS';
    throw new Error(`${source} must be an integer in [1, 1024], got '${requested ?? fromEnv}'`);
  }
  return value;
}

/** Node's backends in front of the portable ones: `tensorflow` and `native`. */
export const nodeBackends: HostBackends = {
  async available() {
    const out: BackendName[] = [];
    if (tf.findBackendFactory('tensorflow') !== null || (await loadNative())) out.push('tensorflow');
    if ((await loadAddon()) !== undefined) {
      registerNativeBackend();
      out.push('native');
    }
    return out;
  },
  async prepare(backend, options) {
    if (backend !== 'native') return { threads: 1, nativeKernels: [] };
    const threads = await threadCount(options.threads);
    requireAddon().setThreads(threads);
    const os = await import('node:os');
    setPoolLimit(Math.min(2 ** 33, Math.floor(os.totalmem() / 4)));
    return { threads, nativeKernels: nativeKernelNames() };
  },
  unavailableHint(backend) {
    return backend === 'tensorflow' ? ' (install @tensorflow/tfjs-node to use it)' : backend === 'native' ? ` (${addonProblem()})` : '';
  },
  nativeProblem: addonProblem,
};

/**
 * Selects and initialises the backend, installing its kernel fixes. Throws a one-line error for
 * an unknown or unavailable backend, naming the ones that are available.
 */
export function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  return initEngineOn(nodeBackends, options);
}
