import type { Kernels } from '@graphgrad/core';
import { GpuArray } from './gpu-array.ts';

// A kernel that fails (today: a custom WGSL kernel that does not compile) leaves its output's
// buffer unwritten. Its output is poisoned: every read of it, and of every array computed from it,
// throws the failure's message, instead of returning whatever the pooled buffer held before.

function poisonOf(arg: unknown): Promise<string | null> | null {
  if (arg instanceof GpuArray) return arg.poison;
  if (Array.isArray(arg)) {
    for (const item of arg) {
      const p = poisonOf(item);
      if (p !== null) return p;
    }
  }
  return null;
}

function mark(result: unknown, poison: Promise<string | null>): void {
  if (result instanceof GpuArray) result.poison ??= poison;
  else if (Array.isArray(result)) for (const item of result) mark(item, poison);
}

/** The kernel table with poison handed from every input to every output. */
export function propagatingPoison(kernels: Kernels): Kernels {
  const wrapped: Record<string, unknown> = {};
  for (const [name, kernel] of Object.entries(kernels) as [string, (...args: unknown[]) => unknown][]) {
    // NOTE: a fixed arity rather than rest arguments: no array per kernel call.
    wrapped[name] = (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown) => {
      const out = kernel(a, b, c, d, e, f);
      const poison = poisonOf(a) ?? poisonOf(b) ?? poisonOf(c) ?? poisonOf(d);
      if (poison !== null) mark(out, poison);
      return out;
    };
  }
  return wrapped as Kernels;
}
