/**
 * Runs a module with other tensors standing in for its parameters (PyTorch's `functional_call`):
 * how `gradCheck`, which differentiates a function of its inputs, checks a whole model's gradient
 * with respect to every one of its parameters.
 */
import type { AnyModule, Tensor } from 'graphgrad';

/** Sets the field at a dotted path (`encoder.lstm.cells.0.Wx`) of `root`. */
function setPath(root: object, path: string, value: Tensor): void {
  const keys = path.split('.');
  let owner = root as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) owner = owner[key] as Record<string, unknown>;
  owner[keys[keys.length - 1]] = value;
}

/**
 * `run()` with `params` (in `module.namedParameters()` order) in place of the module's parameters,
 * which are put back afterwards.
 *
 * @example
 * await gradCheck((...ps) => withParameters(model, ps, () => model.forward(xs, ts)), model.parameters());
 */
export function withParameters<T>(module: AnyModule, params: readonly Tensor[], run: () => T): T {
  const named = module.namedParameters();
  named.forEach(([name], i) => setPath(module, name, params[i]));
  try {
    return run();
  } finally {
    for (const [name, original] of named) setPath(module, name, original);
  }
}
