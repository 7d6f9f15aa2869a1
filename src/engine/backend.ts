/**
 * Backend selection. Best first: `tensorflow` (the native `@tensorflow/tfjs-node` or
 * `-node-gpu`, an optional peer the user installs), `native` (the cpu backend with its dense
 * kernels on OpenBLAS, when hardneg's optional addon is built, see `./native/`), `wasm` (the
 * portable default, with the kernel fixes of `./wasm/`), `cpu`. `initEngine({ backend })` or
 * `HARDNEG_BACKEND` forces one; `threads` or `HARDNEG_THREADS` sets the native thread count.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { addonProblem, loadAddon, requireAddon } from './native/addon.js';
import { nativeKernelNames, registerNativeBackend } from './native/nativeBackend.js';
import { installWasmFixes } from './wasm/fixes.js';

// Silences tfjs's console banners and debug warnings ("looks like you are running in Node.js").
tf.env().set('PROD', true);

export const BACKENDS = ['tensorflow', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface EngineInfo {
  /** The backend in use. */
  backend: BackendName;
  /** Names of the kernel fixes installed on it (wasm). */
  fixes: string[];
  /** Kernels that run natively (the native backend; empty otherwise). */
  nativeKernels: string[];
  /** Compute threads (the native backend's OpenBLAS threads; 1 elsewhere). */
  threads: number;
  /** Backends that could be used on this machine, best first. */
  available: BackendName[];
  /** Why the native backend is not available, when it is not. */
  nativeProblem?: string;
}

export interface EngineOptions {
  /** Backend to use; default `HARDNEG_BACKEND`, else the best available. */
  backend?: string;
  /** Threads for the native backend; default `HARDNEG_THREADS`, else the machine's cores. */
  threads?: number;
}

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

async function availableBackends(): Promise<BackendName[]> {
  const out: BackendName[] = [];
  if (tf.findBackendFactory('tensorflow') !== null || (await loadNative())) out.push('tensorflow');
  if ((await loadAddon()) !== undefined) {
    registerNativeBackend();
    out.push('native');
  }
  if (tf.findBackendFactory('wasm') !== null) out.push('wasm');
  out.push('cpu');
  return out;
}

function env(name: string): string | undefined {
  const value = typeof process !== 'undefined' ? process.env[name] : undefined;
  return value === '' ? undefined : value;
}

/** `threads`, else `HARDNEG_THREADS`, else the machine's cores; a bad value is a one-line error. */
async function threadCount(requested: number | undefined): Promise<number> {
  const fromEnv = env('HARDNEG_THREADS');
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

let current: EngineInfo | undefined;

/**
 * Selects and initialises the backend, installing its kernel fixes. Throws a one-line error for
 * an unknown or unavailable backend, naming the ones that are available.
 */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const requested = options.backend ?? env('HARDNEG_BACKEND');
  const available = await availableBackends();
  if (requested !== undefined && !(BACKENDS as readonly string[]).includes(requested)) {
    throw new Error(`unknown backend '${requested}': expected one of ${BACKENDS.join(', ')} (available here: ${available.join(', ')})`);
  }
  const backend = (requested as BackendName | undefined) ?? available[0];
  if (!available.includes(backend)) {
    const why =
      backend === 'tensorflow' ? ' (install @tensorflow/tfjs-node to use it)' : backend === 'native' ? ` (${addonProblem()})` : '';
    throw new Error(`backend '${backend}' is not available here${why}; available: ${available.join(', ')}`);
  }
  const fixes = backend === 'wasm' ? installWasmFixes() : [];
  let threads = 1;
  if (backend === 'native') {
    threads = await threadCount(options.threads);
    requireAddon().setThreads(threads);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`backend '${backend}' failed to initialise; available: ${available.join(', ')}`);
  await tf.ready();
  const nativeProblem = addonProblem();
  current = {
    backend,
    fixes,
    nativeKernels: backend === 'native' ? nativeKernelNames() : [],
    threads,
    available,
    ...(nativeProblem !== undefined ? { nativeProblem } : {}),
  };
  return current;
}

/** The engine chosen by the last `initEngine`, or undefined before it. */
export function engineInfo(): EngineInfo | undefined {
  return current;
}

/**
 * One line for a command's startup output. The summary names the backend, BLAS and threads, e.g.
 * `backend: native (OpenBLAS, 2 threads)` or `backend: wasm (4 kernel fixes); native backend
 * unavailable: …`; `verbose` adds the lists: `backend: native (OpenBLAS, 2 threads; native
 * kernels: BatchMatMul, …)`, `backend: wasm (kernel fixes: transposed-matmul, …)`.
 */
export function describeEngine(info: EngineInfo, options: { verbose?: boolean } = {}): string {
  const { verbose = true } = options;
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  const fixes = `${info.fixes.length} kernel fix${info.fixes.length === 1 ? '' : 'es'}`;
  const details =
    info.backend === 'native'
      ? ` (OpenBLAS, ${threads}${verbose ? `; native kernels: ${info.nativeKernels.join(', ')}` : ''})`
      : info.fixes.length > 0
        ? verbose ? ` (kernel fixes: ${info.fixes.join(', ')})` : ` (${fixes})`
        : '';
  const problem = info.nativeProblem !== undefined ? `; native backend unavailable: ${info.nativeProblem}` : '';
  return `backend: ${info.backend}${details}${problem}`;
}
