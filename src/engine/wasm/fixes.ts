/**
 * The wasm backend's kernel fixes, installed together by `initEngine` when wasm is selected.
 * Each fix is a set of re-registered kernels with its own test against the cpu backend.
 */
import { batchGatherFix } from './batchGather.js';
import { castToBoolFix } from './castToBool.js';
import { convGradientsFix } from './convGradients.js';
import { restoreKernel } from './kernelCall.js';
import { poolGradientsFix } from './poolGradients.js';
import { segmentSumFix } from './segmentSum.js';
import { transposedMatMulFix } from './transposedMatMul.js';

export interface KernelFix {
  /** Short name shown in the engine's startup line. */
  name: string;
  /** Kernel names this fix re-registers on wasm. */
  kernels: string[];
  install(): void;
}

export const wasmFixes: KernelFix[] = [transposedMatMulFix, batchGatherFix, convGradientsFix, segmentSumFix, poolGradientsFix, castToBoolFix];

const installed = new Set<string>();

/** Installs the named fixes (all by default); returns the names now installed. */
export function installWasmFixes(names: string[] = wasmFixes.map((f) => f.name)): string[] {
  for (const fix of wasmFixes) {
    if (names.includes(fix.name) && !installed.has(fix.name)) {
      fix.install();
      installed.add(fix.name);
    }
  }
  return [...installed];
}

/** Restores the stock wasm kernels (used by tests and benchmarks to measure what a fix buys). */
export function removeWasmFixes(names: string[] = wasmFixes.map((f) => f.name)): void {
  for (const fix of wasmFixes) {
    if (names.includes(fix.name) && installed.has(fix.name)) {
      fix.kernels.forEach(restoreKernel);
      installed.delete(fix.name);
    }
  }
}
