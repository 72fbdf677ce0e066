import {
  ArgumentError,
  describeValue,
  generatorFor,
  type Backend,
  type FloatDType,
  type Generator,
} from '@graphgrad/core';
import type { InitOptions } from '../module/init.ts';

/** Where a layer creates its parameters, and how it draws them. */
export interface LayerOptions {
  /** float32 (default) or float64 (for gradient checks on the CPU). */
  readonly dtype?: FloatDType;
  /** The backend to create the parameters on (default: `getBackend()`). */
  readonly backend?: Backend;
  /** A generator to draw the initial values from (advanced). */
  readonly generator?: Generator;
  /** Seed of a fresh generator for this layer, when no `generator` is given (otherwise the global one). */
  readonly seed?: number;
}

/**
 * The options a layer passes to its initialisers: one generator for all its parameters (so a seed
 * gives each its own values), its dtype and backend, and `requiresGrad`.
 */
export function parameterOptions(options: LayerOptions): InitOptions & { generator: Generator; requiresGrad: true } {
  return {
    generator: options.generator ?? generatorFor(options.seed),
    dtype: options.dtype,
    backend: options.backend,
    requiresGrad: true,
  };
}

/** Throws an `ArgumentError` naming the layer unless `value` is a positive integer (a layer's sizes). */
export function checkSize(layer: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new ArgumentError(`${layer}: ${name} must be a positive integer, got ${describeValue(value)}`);
}
