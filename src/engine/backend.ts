/**
 * Backend selection. Best first: `tensorflow` (the native `@tensorflow/tfjs-node` or
 * `-node-gpu`, an optional peer the user installs), `wasm` (the portable default, with the kernel
 * fixes of `./wasm/`), `cpu`. `initEngine({ backend })` or `HARDNEG_BACKEND` forces one.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installWasmFixes } from './wasm/fixes.js';

// Silences tfjs's console banners and debug warnings ("looks like you are running in Node.js").
tf.env().set('PROD', true);

export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface EngineInfo {
  /** The backend in use. */
  backend: BackendName;
  /** Names of the kernel fixes installed on it. */
  fixes: string[];
  /** Backends that could be used on this machine, best first. */
  available: BackendName[];
}

export interface EngineOptions {
  /** Backend to use; default `HARDNEG_BACKEND`, else the best available. */
  backend?: string;
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
  if (tf.findBackendFactory('wasm') !== null) out.push('wasm');
  out.push('cpu');
  return out;
}

function envBackend(): string | undefined {
  const value = typeof process !== 'undefined' ? process.env.HARDNEG_BACKEND : undefined;
  return value === '' ? undefined : value;
}

let current: EngineInfo | undefined;

/**
 * Selects and initialises the backend, installing its kernel fixes. Throws a one-line error for
 * an unknown or unavailable backend, naming the ones that are available.
 */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const requested = options.backend ?? envBackend();
  const available = await availableBackends();
  if (requested !== undefined && !(BACKENDS as readonly string[]).includes(requested)) {
    throw new Error(`unknown backend '${requested}': expected one of ${BACKENDS.join(', ')} (available here: ${available.join(', ')})`);
  }
  const backend = (requested as BackendName | undefined) ?? available[0];
  if (!available.includes(backend)) {
    const why = backend === 'tensorflow' ? ' (install @tensorflow/tfjs-node to use it)' : '';
    throw new Error(`backend '${backend}' is not available here${why}; available: ${available.join(', ')}`);
  }
  const fixes = backend === 'wasm' ? installWasmFixes() : [];
  if (!(await tf.setBackend(backend))) throw new Error(`backend '${backend}' failed to initialise; available: ${available.join(', ')}`);
  await tf.ready();
  current = { backend, fixes, available };
  return current;
}

/** The engine chosen by the last `initEngine`, or undefined before it. */
export function engineInfo(): EngineInfo | undefined {
  return current;
}

/** One line for a command's startup output, e.g. `backend: wasm (fixes: transposed-matmul, …)`. */
export function describeEngine(info: EngineInfo): string {
  return `backend: ${info.backend}${info.fixes.length > 0 ? ` (kernel fixes: ${info.fixes.join(', ')})` : ''}`;
}
