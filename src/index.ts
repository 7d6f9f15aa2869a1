/** hardneg's library API. */
export { initEngine, engineInfo, describeEngine, BACKENDS } from './engine/backend.js';
export type { BackendName, EngineInfo, EngineOptions } from './engine/backend.js';
export { Rng, seed, defaultRng } from './engine/random.js';
export { installWasmFixes, removeWasmFixes, wasmFixes } from './engine/wasm/fixes.js';
export { crossEntropy } from './ops/crossEntropy.js';
export { l2Normalize } from './ops/normalize.js';
export { ArgumentError } from './ops/validate.js';
export { infoNCE, queueInfoNCE } from './losses/infoNCE.js';
export { contrastiveCrossEntropy } from './ops/contrastiveCrossEntropy.js';
export { stopGradient } from './ops/stopGradient.js';
export type { InfoNCEOptions } from './losses/infoNCE.js';
export { MemoryQueue } from './negatives/memoryQueue.js';
export { mlp } from './models/mlp.js';
export type { MLPConfig } from './models/mlp.js';
export { momentumCopy, momentumUpdate } from './models/momentumEncoder.js';
export { mocoStep } from './train/mocoStep.js';
export type { MocoState } from './train/mocoStep.js';
