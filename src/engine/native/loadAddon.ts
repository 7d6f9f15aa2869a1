/**
 * Loading the native addon in Node. It is looked up once, at `HARDNEG_NATIVE_ADDON` if set
 * (another build of it), else at `build/Release/hardneg_native.node`. When it is missing, fails
 * to load, or `HARDNEG_NATIVE_DISABLE=1` is set, `loadAddon()` returns undefined and
 * `addonProblem()` (`./addon.ts`) says why, in one line; hardneg then runs on wasm.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { addonState, setAddonState, type NativeAddon } from './addon.js';

const BUILT = new URL('../../../build/Release/hardneg_native.node', import.meta.url);

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

function load(): { addon?: NativeAddon; problem?: string } {
  if (process.env.HARDNEG_NATIVE_DISABLE === '1') return { problem: 'disabled by HARDNEG_NATIVE_DISABLE=1' };
  try {
    const path = process.env.HARDNEG_NATIVE_ADDON || fileURLToPath(BUILT);
    return { addon: createRequire(import.meta.url)(path) as NativeAddon };
  } catch (err) {
    return { problem: `the addon did not load (${firstLine(err)}); apt-get install -y libopenblas-dev, then npm run build:native` };
  }
}

/** The addon, or undefined (see `addonProblem`). Loads it on the first call only. */
export async function loadAddon(): Promise<NativeAddon | undefined> {
  if (addonState() === undefined) setAddonState(load());
  return addonState()?.addon;
}
