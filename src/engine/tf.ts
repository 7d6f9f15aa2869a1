/**
 * TensorFlow.js as hardneg uses it: tfjs-core (tensors, ops, optimizers), tfjs-layers (models;
 * importing it also registers the gradient functions) and the cpu and webgl backends. The same
 * API as the `@tensorflow/tfjs` umbrella without its prebuilt bundles, converter and data
 * packages (about 170 MB of a consumer's node_modules that hardneg never loads).
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';

import { version_core } from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';

/** Versions in the umbrella's shape (`version.tfjs` is the core's, as all packages are released together). */
export const version = { tfjs: version_core, 'tfjs-core': version_core, 'tfjs-layers': version_layers };
