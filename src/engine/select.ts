/**
 * Backend selection without Node: the part of `initEngine` that a browser bundle carries.
 *
 * Order, best first: the host's own backends (in Node, `./backend.ts` adds `tensorflow` and
 * `native`), then `webgpu` and `webgl` (browsers only; webgpu when the application has imported
 * `@tensorflow/tfjs-backend-webgpu`, which registers it), then `wasm` (with the kernel fixes of
 * `./wasm/`), then `cpu`. Automatic selection tries each in turn and falls back to the next when
 * one fails to initialise (no GPU, a `.wasm` file that does not load, …), recording why in
 * `EngineInfo.failed`; a backend asked for by name (`backend` option or `HARDNEG_BACKEND`) that
 * fails is a one-line error.
 *
 * The wasm backend fetches its `.wasm` binaries at run time. In Node it finds them in its own
 * package. In a browser, pass `wasmPaths`: a URL prefix (a folder holding
 * `tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`, `tfjs-backend-wasm-threaded-simd.wasm`)
 * or a map from those file names to URLs, e.g. from a bundler's asset imports (Vite:
 * `import simd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url'`).
 * Without it the binaries are looked up beside the page; when they are not there, wasm fails
 * to initialise and selection moves on to cpu.
 */
import * as tf from './tf.js';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadCompiledKernels } from './host/compiledKernels.js';
import { installWasmFixes } from './wasm/fixes.js';

// Silences tfjs's console banners and debug warnings ("looks like you are running in Node.js").
tf.env().set('PROD', true);

export const BACKENDS = ['tensorflow', 'native', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** The three binaries of `@tensorflow/tfjs-backend-wasm`, by file name. */
export type WasmPaths = string | Partial<Record<'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm', string>>;

export interface EngineInfo {
  /** The backend in use. */
  backend: BackendName;
  /** Names of the kernel fixes installed on it (wasm). */
  fixes: string[];
  /** Kernels that run natively (the native backend; empty otherwise). */
  nativeKernels: string[];
  /**
   * Where the host kernels (MoCHi's selection and mix, …; `engine/hostKernels.ts`) run: the addon
   * (`native`), the same C compiled to WebAssembly (`wasm`), or the JavaScript twins.
   */
  hostKernels: 'native' | 'wasm' | 'javascript';
  /** Compute threads (the native backend's OpenBLAS threads; 1 elsewhere). */
  threads: number;
  /** Backends that could be used on this machine, best first. */
  available: BackendName[];
  /** Backends tried before the one in use that failed to initialise, with the reason. */
  failed: { backend: BackendName; reason: string }[];
  /** Why the native backend is not available, when it is not (Node only). */
  nativeProblem?: string;
}

export interface EngineOptions {
  /** Backend to use; default `HARDNEG_BACKEND`, else the best one that initialises. */
  backend?: string;
  /** Threads for the native backend; default `HARDNEG_THREADS`, else the machine's cores. */
  threads?: number;
  /** Where a browser finds the wasm binaries: a URL prefix or a file name → URL map (see above). */
  wasmPaths?: WasmPaths;
}

/** Backends a host adds in front of the portable ones (Node's `tensorflow` and `native`). */
export interface HostBackends {
  /** Those usable here, best first (registering them with tfjs as needed). */
  available(): Promise<BackendName[]>;
  /** Readies one of them before it is set; returns its thread count and native kernel names. */
  prepare(backend: BackendName, options: EngineOptions): Promise<{ threads: number; nativeKernels: string[] }>;
  /** Why `backend` (one of the host's) is not available, as a parenthesised hint, or ''. */
  unavailableHint(backend: BackendName): string;
  /** Why the native backend is not in use, when the host has one and it is not. */
  nativeProblem(): string | undefined;
}

/** True in a page or a worker (WebGL and WebGPU are only tried there). */
export function inBrowser(): boolean {
  const g = globalThis as { document?: unknown; importScripts?: unknown };
  return g.document !== undefined || typeof g.importScripts === 'function';
}

function portableBackends(): BackendName[] {
  const out: BackendName[] = [];
  if (inBrowser()) {
    for (const name of ['webgpu', 'webgl'] as const) if (tf.findBackendFactory(name) !== null) out.push(name);
  }
  if (tf.findBackendFactory('wasm') !== null) out.push('wasm');
  out.push('cpu');
  return out;
}

function env(name: string): string | undefined {
  const value = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return value === '' ? undefined : value;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** Sets `backend` and waits for it; returns undefined on success, else why it failed. */
async function trySet(backend: BackendName): Promise<string | undefined> {
  try {
    if (await tf.setBackend(backend)) {
      await tf.ready();
      return undefined;
    }
    return 'it did not initialise';
  } catch (err) {
    return firstLine(err);
  }
}

let current: EngineInfo | undefined;

/**
 * Selects and initialises a backend from the host's backends and the portable ones. Throws a
 * one-line error for an unknown or unavailable backend, naming the ones that are available.
 */
export async function initEngineOn(host: HostBackends | undefined, options: EngineOptions = {}): Promise<EngineInfo> {
  const requested = options.backend ?? env('HARDNEG_BACKEND');
  const hosted = (await host?.available()) ?? [];
  const available = [...hosted, ...portableBackends()];
  if (requested !== undefined && !(BACKENDS as readonly string[]).includes(requested)) {
    throw new Error(`unknown backend '${requested}': expected one of ${BACKENDS.join(', ')} (available here: ${available.join(', ')})`);
  }
  if (requested !== undefined && !available.includes(requested as BackendName)) {
    const hint = host?.unavailableHint(requested as BackendName) ?? '';
    throw new Error(`backend '${requested}' is not available here${hint}; available: ${available.join(', ')}`);
  }
  // Read when the wasm backend first initialises; later calls change nothing.
  if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths);
  const candidates = requested !== undefined ? [requested as BackendName] : available;
  const failed: EngineInfo['failed'] = [];
  for (const backend of candidates) {
    const fixes = backend === 'wasm' ? installWasmFixes() : [];
    const { threads, nativeKernels } = host !== undefined && hosted.includes(backend) ? await host.prepare(backend, options) : { threads: 1, nativeKernels: [] };
    const problem = await trySet(backend);
    if (problem !== undefined) {
      failed.push({ backend, reason: problem });
      if (requested !== undefined) throw new Error(`backend '${backend}' failed to initialise (${problem}); available: ${available.join(', ')}`);
      continue;
    }
    const nativeProblem = host?.nativeProblem();
    const hostKernels = backend === 'native' ? 'native' : (await loadCompiledKernels()) !== undefined ? 'wasm' : 'javascript';
    current = { backend, fixes, hostKernels, nativeKernels, threads, available, failed, ...(nativeProblem !== undefined ? { nativeProblem } : {}) };
    return current;
  }
  throw new Error(`no backend initialised: ${failed.map((f) => `${f.backend} (${f.reason})`).join(', ')}`);
}

/** `initEngineOn` with the portable backends only: webgpu, webgl, wasm, cpu. */
export function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  return initEngineOn(undefined, options);
}

/** The engine chosen by the last `initEngine`, or undefined before it. */
export function engineInfo(): EngineInfo | undefined {
  return current;
}

/**
 * One line for a command's startup output. The summary names the backend, BLAS and threads, e.g.
 * `backend: native (OpenBLAS, 2 threads)` or `backend: wasm (4 kernel fixes); native backend
 * unavailable: …`; `verbose` adds the lists: `backend: native (OpenBLAS, 2 threads; native
 * kernels: BatchMatMul, …)`, `backend: wasm (kernel fixes: transposed-matmul, …)`. Backends that
 * failed to start before the one in use are named with their reason.
 */
export function describeEngine(info: EngineInfo, options: { verbose?: boolean } = {}): string {
  const { verbose = true } = options;
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  const fixes = `${info.fixes.length} kernel fix${info.fixes.length === 1 ? '' : 'es'}`;
  const details =
    info.backend === 'native'
      ? ` (OpenBLAS, ${threads}${verbose ? `; native kernels: ${info.nativeKernels.join(', ')}` : ''})`
      : info.fixes.length > 0
        ? verbose ? ` (kernel fixes: ${info.fixes.join(', ')}; host kernels: ${info.hostKernels})` : ` (${fixes}; host kernels: ${info.hostKernels})`
        : ` (host kernels: ${info.hostKernels})`;
  const fellBack = info.failed.length > 0 ? `; failed to start: ${info.failed.map((f) => `${f.backend} (${f.reason})`).join(', ')}` : '';
  const problem = info.nativeProblem !== undefined ? `; native backend unavailable: ${info.nativeProblem}` : '';
  return `backend: ${info.backend}${details}${fellBack}${problem}`;
}
