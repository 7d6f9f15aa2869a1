/** The `--backend` option every command shares, and the startup line naming the engine. */
import { describeEngine, initEngine, type EngineInfo } from '../engine/backend.js';

export interface GlobalOptions {
  backend?: string;
}

/** Initialises the engine from `--backend` / `HARDNEG_BACKEND` and prints it (to stderr). */
export async function startEngine(options: GlobalOptions): Promise<EngineInfo> {
  const info = await initEngine({ backend: options.backend });
  console.error(describeEngine(info));
  return info;
}
