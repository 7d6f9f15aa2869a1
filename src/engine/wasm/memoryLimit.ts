/**
 * The wasm backend's memory ceiling. tfjs-backend-wasm 4.22 is a 32-bit WebAssembly module whose
 * heap may grow to `getHeapMax()` = 4 GiB − 64 KiB; a step that needs more aborts the module
 * (`Aborted()`), which no later call survives. Callers compare an estimate against this before
 * a step (`train/memoryCheck.ts`). Other backends allocate in the JavaScript heap and the
 * machine's memory: no fixed ceiling here.
 */
export const WASM_HEAP_LIMIT_BYTES = 4294901760;

/** The fixed memory ceiling of backend `name`, or undefined when it has none. */
export function backendMemoryLimit(name: string): number | undefined {
  return name === 'wasm' ? WASM_HEAP_LIMIT_BYTES : undefined;
}
