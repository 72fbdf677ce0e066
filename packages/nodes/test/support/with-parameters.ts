// Runs a module with other tensors in place of its parameters (PyTorch's `functional_call`), so that
// gradCheck, which differentiates a function of its inputs, can check a layer's parameters.
import type { Tensor } from '@graphgrad/core';
import type { Module } from '../../src/index.ts';

/** Sets the field at a dotted path (`cells.0.Wx`) of `root`. */
function setPath(root: object, path: string, value: Tensor): void {
  const keys = path.split('.');
  let owner = root as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) owner = owner[key] as Record<string, unknown>;
  owner[keys[keys.length - 1]] = value;
}

/** `run()` with `params` (in `namedParameters()` order) standing in for the module's parameters. */
export function withParameters<T>(module: Module<never, unknown>, params: readonly Tensor[], run: () => T): T {
  const named = module.namedParameters();
  named.forEach(([name], i) => setPath(module, name, params[i]));
  try {
    return run();
  } finally {
    for (const [name, original] of named) setPath(module, name, original);
  }
}
