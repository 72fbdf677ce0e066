import { ArgumentError } from '@graphgrad/core';

/**
 * Returns `value` when it is a finite number ≥ 0 (and < 1 when `belowOne`), otherwise throws an
 * `ArgumentError` naming the optimizer and the option.
 */
export function checkHyperparameter(optimizer: string, name: string, value: number, belowOne = false): number {
  if (!Number.isFinite(value) || value < 0 || (belowOne && value >= 1)) {
    const range = belowOne ? 'in [0, 1)' : 'a finite number ≥ 0';
    throw new ArgumentError(`${optimizer}: ${name} must be ${range}, got ${value}`);
  }
  return value;
}
