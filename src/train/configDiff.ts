/**
 * The settings in which two configs differ, as key paths with both values, e.g.
 * `optimizer.lr (saved 0.03, given 1000000)`: what `--resume` reports when the config it is given
 * is not the one the run was started with.
 */

export interface ConfigDifference {
  key: string;
  saved: unknown;
  given: unknown;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Every leaf key path whose value differs between `saved` and `given` (arrays compare whole). */
export function configDifferences(saved: unknown, given: unknown, prefix = ''): ConfigDifference[] {
  if (isRecord(saved) && isRecord(given)) {
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(given)])].sort();
    return keys.flatMap((k) => configDifferences(saved[k], given[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(saved) === JSON.stringify(given) ? [] : [{ key: prefix || '(the whole config)', saved, given }];
}

/** `key (saved a, given b), …` for a message. */
export function describeDifferences(differences: ConfigDifference[]): string {
  const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));
  return differences.map((d) => `${d.key} (saved ${show(d.saved)}, given ${show(d.given)})`).join(', ');
}
