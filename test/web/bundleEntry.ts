/**
 * What a browser application writes: hardneg imported by its package name, bundled by esbuild
 * (`--bundle --platform=browser --format=esm`, no externals) in test/web/playground.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { drawMochi, infoNCE, initEngine, MemoryQueue, mochiLoss, Rng, schane, supCon } from 'hardneg';
import { lossProbe } from './lossProbe.js';

// The package's declarations (dist/) and the source's are the same API under two names.
const lib = { infoNCE, mochiLoss, MemoryQueue, supCon, schane, initEngine, Rng, drawMochi } as unknown as Parameters<typeof lossProbe>[0];
(globalThis as unknown as { lossProbe: (engine: object) => unknown }).lossProbe = (engine: object) => lossProbe(lib, tf, engine);
