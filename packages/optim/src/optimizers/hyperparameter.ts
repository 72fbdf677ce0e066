import { ArgumentError, describeValue } from '@graphgrad/core';

/** How one hyperparameter of an optimizer is declared: its default and its range. */
export interface HyperparameterSpec {
  /** The value when neither the group nor the options give one. */
  readonly default: number;
  /** Whether the value must be below 1 (a decay rate, a β); every value is a finite number ≥ 0. */
  readonly belowOne?: boolean;
}

/**
 * An optimizer's hyperparameters, declared once: the base class reads the defaults from it at
 * construction and checks every group against it at construction and before each step.
 *
 * @example
 * const ADAM: HyperparameterSpecs<'lr' | 'beta1'> = { lr: { default: 0.001 }, beta1: { default: 0.9, belowOne: true } };
 */
export type HyperparameterSpecs<H extends string> = { readonly [K in H]: HyperparameterSpec };

/**
 * Throws an `ArgumentError` naming the optimizer, the option (and the group, when `group` is given)
 * unless `value` is a finite number ≥ 0 (and < 1 when `belowOne`). A value of another type is
 * quoted as what it is (the string `'0.1'` as `"0.1"`), never as if it were the number.
 */
export function checkHyperparameter(
  optimizer: string,
  name: string,
  value: unknown,
  belowOne: boolean,
  group?: number,
): void {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && !(belowOne && value >= 1)) return;
  const range = belowOne ? 'in [0, 1)' : 'a finite number ≥ 0';
  const where = group === undefined ? '' : ` of parameter group ${group}`;
  throw new ArgumentError(`${optimizer}: ${name}${where} must be ${range}, got ${describeValue(value)}`);
}
