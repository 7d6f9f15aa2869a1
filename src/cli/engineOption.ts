/** The `--backend`, `--threads` and `--verbose` options every command shares, and the startup line naming the engine. */
import { describeEngine, initEngine, type EngineInfo } from '../engine/backend.js';

export interface GlobalOptions {
  backend?: string;
  threads?: number;
  verbose?: boolean;
}

/**
 * Initialises the engine from `--backend` / `HARDNEG_BACKEND` and `--threads` / `HARDNEG_THREADS`,
 * and prints one summary line to stderr (with `--verbose`, the kernel list too).
 */
export async function startEngine(options: GlobalOptions): Promise<EngineInfo> {
  const info = await initEngine({ backend: options.backend, threads: options.threads });
  console.error(describeEngine(info, { verbose: options.verbose ?? false }));
  return info;
}
