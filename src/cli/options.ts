/**
 * Parsers for command-line options: a bad value is a one-line error naming the option, the
 * expected and the given value, raised while the arguments are parsed (before anything is
 * written). `flagErrors` collects the rules between options, all at once.
 */
import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors.js';

export function positiveInt(value: string, name = 'value'): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got '${value}'`);
  return n;
}

export function nonNegativeInt(value: string, name = 'value'): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be an integer >= 0, got '${value}'`);
  return n;
}

/** Parses a comma-separated list of positive integers, e.g. `32,64,128`. */
export function positiveIntList(value: string, name = 'value'): number[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) <= 0)) {
    throw new InvalidArgumentError(`${name} must be comma-separated positive integers (e.g. 32,64,128), got '${value}'`);
  }
  return parts.map(Number);
}

/** Parses `N,s,s'` (MoCHi's three integers). */
export function intTriple(value: string): [number, number, number] {
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new InvalidArgumentError(`expected three integers N,s,s' (e.g. 256,128,64), got '${value}'`);
  }
  return parts as [number, number, number];
}

export function finiteNumber(value: string, name = 'value'): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got '${value}'`);
  return n;
}

/** One of `choices`. */
export function oneOf<T extends string>(choices: readonly T[], name: string): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`${name} must be one of ${choices.join(', ')}, got '${value}'`);
    return value as T;
  };
}

/** Learning rates of every command: a number in (0, 10] (larger steps diverge). */
export const MAX_LR = 10;

/** A number in a range; `open` excludes the bounds named ('min', 'max' or both), e.g. `numberIn('--lr', 0, 10, ['min'])` is (0, 10]. */
export function numberIn(name: string, min: number, max: number, open: ('min' | 'max')[] = []): (value: string) => number {
  const lo = open.includes('min') ? '(' : '[';
  const hi = open.includes('max') ? ')' : ']';
  return (value) => {
    const n = Number(value);
    const ok = value.trim() !== '' && Number.isFinite(n) && (open.includes('min') ? n > min : n >= min) && (open.includes('max') ? n < max : n <= max);
    if (!ok) throw new InvalidArgumentError(`${name} must be a number in ${lo}${min}, ${max}${hi}, got '${value}'`);
    return n;
  };
}

/** A learning rate: a number in (0, MAX_LR]. */
export function learningRate(name: string): (value: string) => number {
  return numberIn(name, 0, MAX_LR, ['min']);
}

/** An integer in [min, max]. */
export function intIn(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got '${value}'`);
    return n;
  };
}

/** A file name ending in one of `extensions` (case-insensitive), e.g. `['.png', '.svg']`. */
export function fileWithExtension(name: string, extensions: readonly string[]): (value: string) => string {
  return (value) => {
    if (!extensions.some((e) => value.toLowerCase().endsWith(e))) throw new InvalidArgumentError(`${name} must name a ${extensions.join(' or ')} file, got '${value}'`);
    return value;
  };
}

/**
 * Rules between options: each entry is `[broken, line]`; throws one `UsageError` listing every
 * broken rule (one line each), before the command does anything.
 */
export function flagErrors(rules: [boolean, string][]): void {
  const lines = rules.filter(([broken]) => broken).map(([, line]) => line);
  if (lines.length > 0) throw new UsageError(lines.join('\n'));
}
