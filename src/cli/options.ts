/** Parsers for numeric command-line options: a bad value is a one-line error naming the option. */
import { InvalidArgumentError } from 'commander';

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
