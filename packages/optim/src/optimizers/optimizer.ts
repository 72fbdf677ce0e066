import {
  ArgumentError,
  BackendError,
  describeValue,
  DisposedTensorError,
  DTypeError,
  formatShape,
  GradientRuleError,
  isTensor,
  keep,
  noGrad,
  ShapeError,
  shapesEqual,
  tidy,
  zerosLike,
  type Tensor,
} from '@graphgrad/core';
import { add, mul, StateDictError, type StateDictMismatch } from '@graphgrad/nodes';
import { checkHyperparameter, type HyperparameterSpecs } from './hyperparameter.ts';

/** The hyperparameters every optimizer has: the learning rate and the weight decay. */
export type CommonHyperparameter = 'lr' | 'weightDecay';

/**
 * A group of parameters and the hyperparameters it is updated with (PyTorch's `param_groups`
 * entries). The numbers may be changed between steps: a schedule sets `lr`.
 *
 * @example
 * optimizer.paramGroups[1].lr = 0.01;
 */
export type ParamGroup<H extends string = CommonHyperparameter> = {
  /** The group's parameters, each once. */
  readonly params: readonly Tensor[];
} & {
  [K in H | CommonHyperparameter]: number;
};

/**
 * A group of parameters given to an optimizer, with the hyperparameters it overrides (the others
 * come from the options, then the defaults).
 *
 * @example
 * new AdamW([{ params: decayed, weightDecay: 0.01 }, { params: biases, weightDecay: 0 }], { lr: 1e-3 });
 */
export type ParamGroupOptions<H extends string = CommonHyperparameter> = {
  /** The group's parameters. */
  readonly params: Iterable<Tensor>;
} & {
  readonly [K in H | CommonHyperparameter]?: number;
};

/**
 * What an optimizer updates: parameters (`model.parameters()`), or a list of groups each with its
 * own hyperparameters.
 *
 * @example
 * const params: OptimizerParams = model.parameters();
 */
export type OptimizerParams<H extends string = CommonHyperparameter> =
  Iterable<Tensor> | readonly ParamGroupOptions<H>[];

/**
 * An optimizer's state by name, for checkpoints: `stepCount`, each group's hyperparameters
 * (`paramGroups.0.lr`) and size (`paramGroups.0.size`), and each parameter's state tensors by its
 * position in `params` (`state.3.m`), the way PyTorch numbers them.
 *
 * @example
 * const dict: OptimizerStateDict = optimizer.stateDict();
 */
export type OptimizerStateDict = Record<string, Tensor | number>;

/**
 * What an optimizer's rule gives for one parameter: its new value and the new value of each of its
 * state tensors (by the names the optimizer declared), computed from the current ones. The base
 * class writes them only once every parameter's update is computed and checked.
 *
 * @example
 * return { param: sub(param, mul(grad, group.lr)), state: {} };
 */
export interface ParameterUpdate {
  /** The parameter's new value (its shape, dtype and backend). */
  readonly param: Tensor;
  /** The new value of every state tensor the optimizer declared, by name. */
  readonly state: Readonly<Record<string, Tensor>>;
}

/**
 * What every optimizer shares, the PyTorch way: the parameters are given once, at construction
 * (plainly, or as groups with their own hyperparameters); `zeroGrad()` clears their gradients,
 * `backward()` fills them, `step()` updates every parameter that has a gradient.
 *
 * Each optimizer declares its hyperparameters once (`HyperparameterSpecs`): their defaults and
 * ranges, which are checked for every group at construction and again before each step (they may
 * be changed in between). `weightDecay` (default 0) adds weightDecay·p to each gradient (L2
 * regularisation, as PyTorch's optimizers do; `AdamW` decouples it instead).
 *
 * Parameters are held by identity: a tensor listed twice (a weight shared by two layers, the
 * book's `remove_duplicate`) is kept once and updated once, with the gradient the tape already
 * accumulated from both uses. A weight used as its transpose by a second layer (`transpose(W)`) is
 * one parameter too: the tape adds the transposed gradient into `W.grad`.
 *
 * Updates are written in `@graphgrad/nodes` operations under `noGrad`, so they run on whichever
 * backend holds the parameters, and each step's temporaries are freed (a `tidy` scope): a long run
 * holds a constant number of buffers. A step computes every parameter's new value and state first
 * and writes them (`assign`) only when all are computed and checked, so a step that throws, even
 * midway (anomaly mode finding a NaN in the second parameter's update), changes no parameter, no
 * state tensor and not the step count.
 *
 * @example
 * const optimizer = new SGD(model.parameters(), { lr: 1.0 });
 * optimizer.zeroGrad();
 * lossFn(model.call(x), t).backward();
 * optimizer.step();
 */
export abstract class Optimizer<H extends string = CommonHyperparameter> {
  /** The parameters, each once, in the order first given (groups in order). */
  readonly params: readonly Tensor[];
  /** The parameter groups with their hyperparameters (one group when plain parameters were given). */
  readonly paramGroups: readonly ParamGroup<H>[];
  /** Per-parameter state (velocities, squared-gradient sums, moments), keyed by the parameter. */
  readonly state = new Map<Tensor, Record<string, Tensor>>();
  /** How many times `step()` ran. */
  stepCount = 0;
  readonly #specs: HyperparameterSpecs<H | CommonHyperparameter>;
  readonly #stateNames: readonly string[];

  /**
   * @param specs the hyperparameters, declared once (defaults and ranges)
   * @param stateNames the names of the state tensors each parameter gets (`['m', 'v']` for Adam)
   */
  constructor(
    params: OptimizerParams<H>,
    options: { readonly [K in H | CommonHyperparameter]?: number },
    specs: HyperparameterSpecs<H | CommonHyperparameter>,
    stateNames: readonly string[] = [],
  ) {
    this.#specs = specs;
    this.#stateNames = stateNames;
    const names = Object.keys(specs) as (H | CommonHyperparameter)[];
    if (options === null || typeof options !== 'object')
      throw new ArgumentError(`${this.#name}: options must be an object, got ${describeValue(options)}`);
    const unknownOptions = Object.keys(options).filter((k) => !names.includes(k as H));
    if (unknownOptions.length > 0)
      throw new ArgumentError(
        `${this.#name}: unknown option ${unknownOptions.join(', ')} (it takes ${names.join(', ')})`,
      );
    if (!isIterable(params))
      throw new ArgumentError(
        `${this.#name}: params must be tensors or parameter groups (an iterable), got ${describeValue(params)}`,
      );
    const given = [...(params as Iterable<Tensor | ParamGroupOptions<H>>)];
    const grouped = given.length > 0 && given.every((g) => !isTensor(g) && g !== null && typeof g === 'object');
    const groups = (grouped ? given : [{ params: given }]) as ParamGroupOptions<H>[];
    const owner = new Map<Tensor, number>();
    this.paramGroups = groups.map((group, g) => {
      if (!isIterable(group.params))
        throw new ArgumentError(
          `${this.#name}: parameter group ${g} must have params (an iterable of tensors), got ${describeValue(group.params)}`,
        );
      const list = [...new Set(group.params)];
      for (const p of list) {
        if (!isTensor(p) || !p.requiresGrad || p.origin !== null) {
          throw new ArgumentError(
            `${this.#name}: parameter ${isTensor(p) ? p.toString() : describeValue(p)} must be a leaf tensor with requiresGrad`,
          );
        }
        const other = owner.get(p);
        if (other !== undefined)
          throw new ArgumentError(`${this.#name}: parameter ${p.toString()} is in groups ${other} and ${g}`);
        owner.set(p, g);
      }
      const unknown = Object.keys(group).filter((k) => k !== 'params' && !names.includes(k as H));
      if (unknown.length > 0)
        throw new ArgumentError(
          `${this.#name}: parameter group ${g} has unknown option ${unknown.join(', ')} (it takes ${names.join(', ')})`,
        );
      const resolved: Record<string, unknown> = { params: list };
      for (const name of names) resolved[name] = group[name] ?? options[name] ?? specs[name].default;
      return resolved as ParamGroup<H>;
    });
    this.params = [...owner.keys()];
    this.#checkGroups();
  }

  get #name(): string {
    return this.constructor.name;
  }

  /** Learning rate (group 0's); setting it sets every group's. May be changed between steps. */
  get lr(): number {
    return this.hyperparameter('lr');
  }

  /** Sets `lr` in every parameter group (checked before the next step). */
  set lr(value: number) {
    this.setHyperparameter('lr', value);
  }

  /** Weight decay (group 0's); setting it sets every group's. */
  get weightDecay(): number {
    return this.hyperparameter('weightDecay');
  }

  /** Sets `weightDecay` in every parameter group (checked before the next step). */
  set weightDecay(value: number) {
    this.setHyperparameter('weightDecay', value);
  }

  /** A hyperparameter of the first group: what the optimizer-wide accessors read. */
  protected hyperparameter(name: H | CommonHyperparameter): number {
    return this.paramGroups.length === 0 ? this.#specs[name].default : this.paramGroups[0][name];
  }

  /** Sets a hyperparameter in every group (checked before the next step). */
  protected setHyperparameter(name: H | CommonHyperparameter, value: number): void {
    for (const group of this.paramGroups) group[name] = value as ParamGroup<H>[typeof name];
  }

  #checkGroups(): void {
    const many = this.paramGroups.length > 1;
    this.paramGroups.forEach((group, g) => {
      for (const name of Object.keys(this.#specs) as H[]) {
        checkHyperparameter(this.#name, name, group[name], this.#specs[name].belowOne === true, many ? g : undefined);
      }
    });
  }

  /**
   * Updates every parameter whose `grad` is set, by this optimizer's rule. Everything is checked
   * first (the hyperparameters of every group, and each parameter and gradient: not disposed, the
   * gradient of the parameter's shape, dtype and backend); then every new value is computed, and
   * only then written, so a step that throws has changed no parameter, no state and not `stepCount`.
   */
  step(): void {
    this.#checkGroups();
    for (const param of this.params) this.#checkParameter(param);
    const step = this.stepCount + 1;
    noGrad(() =>
      tidy(() => {
        const updates: [Tensor, ParameterUpdate][] = [];
        for (const group of this.paramGroups) {
          for (const param of group.params) {
            if (param.grad === null) continue;
            const update = this.update(param, this.decayedGradient(param, param.grad, group), group, step);
            this.#checkUpdate(param, update);
            updates.push([param, update]);
          }
        }
        for (const [param, update] of updates) this.#write(param, update);
      }),
    );
    this.stepCount = step;
  }

  /** Throws unless `update` holds a value of `param`'s shape, dtype and backend for it and each state name. */
  #checkUpdate(param: Tensor, update: ParameterUpdate): void {
    const op = `${this.#name}.update`;
    const given = update === null || typeof update !== 'object' ? {} : (update.state ?? {});
    const names = Object.keys(given);
    const wrong = names.filter((n) => !this.#stateNames.includes(n));
    const lacking = this.#stateNames.filter((n) => !names.includes(n));
    if (wrong.length > 0 || lacking.length > 0)
      throw new GradientRuleError(
        `${op}: the state of parameter #${param.id} must be ${describeValue(this.#stateNames)}, got ${describeValue(names)}`,
      );
    for (const [what, value] of [['the new value', update.param], ...names.map((n) => [`state '${n}'`, given[n]])] as [
      string,
      unknown,
    ][]) {
      if (
        !isTensor(value) ||
        value.isDisposed ||
        !shapesEqual(value.shape, param.shape) ||
        value.dtype !== param.dtype ||
        value.backend !== param.backend
      ) {
        const got = isTensor(value)
          ? `${formatShape(value.shape)} ${value.dtype} on ${value.backend.name}`
          : describeValue(value);
        throw new GradientRuleError(
          `${op}: ${what} of parameter #${param.id} must be a live tensor ${formatShape(param.shape)} ${param.dtype} on ${param.backend.name}, got ${got}`,
        );
      }
    }
  }

  /** Writes a checked update: the parameter and its state in place; state seen for the first time is kept. */
  #write(param: Tensor, update: ParameterUpdate): void {
    let slots = this.state.get(param);
    if (slots === undefined && this.#stateNames.length > 0) {
      slots = {};
      this.state.set(param, slots);
    }
    for (const name of this.#stateNames) {
      const value = update.state[name];
      const slot = slots![name];
      // a view of its own: the state must not be a tensor the rule may also have returned elsewhere
      if (slot === undefined) slots![name] = keep(value.detach());
      else slot.assign(value);
    }
    param.assign(update.param);
  }

  /** Clears the gradient of every parameter (disposing it), before the next `backward()`. */
  zeroGrad(): void {
    for (const param of this.params) param.zeroGrad();
  }

  /** Frees the state tensors (the parameters stay). */
  dispose(): void {
    for (const slots of this.state.values()) for (const t of Object.values(slots)) t.dispose();
    this.state.clear();
  }

  /**
   * The gradient the update rule sees: g + weightDecay·p (L2 regularisation, coupled to the
   * gradient as PyTorch's SGD and Adam do). AdamW overrides it to decay the weights directly.
   */
  protected decayedGradient(param: Tensor, grad: Tensor, group: ParamGroup<H>): Tensor {
    return group.weightDecay > 0 ? add(grad, mul(param, group.weightDecay)) : grad;
  }

  #parameterLooksRight(param: Tensor, grad: Tensor): boolean {
    if (
      grad.isDisposed ||
      !shapesEqual(grad.shape, param.shape) ||
      grad.dtype !== param.dtype ||
      grad.backend !== param.backend
    )
      return false;
    const slots = this.state.get(param);
    if (slots !== undefined) for (const slot of Object.values(slots)) if (slot.isDisposed) return false;
    return true;
  }

  #checkParameter(param: Tensor): void {
    // The messages are built only on failure: this runs for every parameter on every step.
    if (!param.isDisposed && (param.grad === null || this.#parameterLooksRight(param, param.grad))) return;
    const op = `${this.#name}.step`;
    const name = `parameter #${param.id} ${formatShape(param.shape)} ${param.dtype}`;
    if (param.isDisposed) throw new DisposedTensorError(`${op}: ${name} was disposed`);
    const grad = param.grad;
    if (grad === null) return;
    if (grad.isDisposed) throw new DisposedTensorError(`${op}: the gradient of ${name} was disposed`);
    if (!shapesEqual(grad.shape, param.shape))
      throw new ShapeError(
        `${op}: the gradient of ${name} is ${formatShape(grad.shape)}, expected ${formatShape(param.shape)}`,
      );
    if (grad.dtype !== param.dtype)
      throw new DTypeError(`${op}: the gradient of ${name} is ${grad.dtype}, expected ${param.dtype}`);
    if (grad.backend !== param.backend) {
      throw new BackendError(
        `${op}: the gradient of ${name} is on the ${grad.backend.name} backend, the parameter on ${param.backend.name}; move it with await t.to(backend)`,
      );
    }
    for (const slot of Object.values(this.state.get(param) ?? {})) {
      if (slot.isDisposed) throw new DisposedTensorError(`${op}: the state of ${name} was disposed`);
    }
  }

  /**
   * The new value of `param` and of each of its state tensors, from its gradient (weight decay
   * already applied), its group's hyperparameters and the number of this step (1 for the first).
   * Runs under noGrad, in a tidy scope; assigns nothing: the base class writes every parameter's
   * update once all are computed.
   */
  protected abstract update(param: Tensor, grad: Tensor, group: ParamGroup<H>, step: number): ParameterUpdate;

  /**
   * The current value of `param`'s state tensor `name`: the optimizer's own, or zeros before the
   * first step that updates it (a temporary of the step, kept only if the step succeeds).
   */
  protected stateOf(param: Tensor, name: string): Tensor {
    return this.state.get(param)?.[name] ?? zerosLike(param);
  }

  /**
   * The optimizer's state by name (see `OptimizerStateDict`): the step count, every group's
   * hyperparameters and size, and each parameter's state tensors (the optimizer's own, not
   * copies). Saved with `save(optimizer, path)`, it lets training resume exactly.
   *
   * @example
   * const dict = adam.stateDict(); // { stepCount: 10, 'paramGroups.0.lr': 0.001, 'state.0.m': Tensor, … }
   */
  stateDict(): OptimizerStateDict {
    const dict: OptimizerStateDict = { stepCount: this.stepCount };
    this.paramGroups.forEach((group, g) => {
      dict[`paramGroups.${g}.size`] = group.params.length;
      for (const name of Object.keys(this.#specs) as H[]) dict[`paramGroups.${g}.${name}`] = group[name];
    });
    this.params.forEach((param, i) => {
      for (const [slot, t] of Object.entries(this.state.get(param) ?? {})) dict[`state.${i}.${slot}`] = t;
    });
    return dict;
  }

  /**
   * Restores a state saved by `stateDict()` from an optimizer of the same kind over parameters of
   * the same shapes, grouped the same way. Everything is checked first (every name, number, shape
   * and dtype; a parameter's state whole, with exactly the names this optimizer keeps; listed in one
   * `StateDictError`), so a refused load changes nothing; the state tensors are copied (to the
   * parameters' backends).
   *
   * @example
   * await adam.loadStateDict(saved.stateDict());
   */
  async loadStateDict(dict: Readonly<OptimizerStateDict>): Promise<void> {
    const op = `${this.#name}.loadStateDict`;
    if (dict === null || typeof dict !== 'object' || isTensor(dict))
      throw new StateDictError(op, [], [], [{ key: '(dict)', problem: `must be an object, got ${kindOf(dict)}` }]);
    const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(dict, key);
    const expected = new Map<string, 'count' | 'hyperparameter' | 'size'>([['stepCount', 'count']]);
    this.paramGroups.forEach((_, g) => {
      expected.set(`paramGroups.${g}.size`, 'size');
      for (const name of Object.keys(this.#specs)) expected.set(`paramGroups.${g}.${name}`, 'hyperparameter');
    });
    const missing = [...expected.keys()].filter((k) => !has(k));
    const unexpected: string[] = [];
    const mismatches: StateDictMismatch[] = [];
    const slots: { param: Tensor; slot: string; from: Tensor }[] = [];
    const withState = new Set<number>();
    for (const [key, value] of Object.entries(dict)) {
      const kind = expected.get(key);
      const stateKey = /^state\.(0|[1-9]\d*)\.(\w+)$/.exec(key);
      if (kind !== undefined) {
        if (typeof value !== 'number') mismatches.push({ key, problem: `must be a number, got ${kindOf(value)}` });
        else if (kind === 'size') {
          const size = this.paramGroups[Number(key.split('.')[1])].params.length;
          if (value !== size) mismatches.push({ key, problem: `is ${value} in the dict, ${size} in the optimizer` });
        } else if (kind === 'count' && !(Number.isSafeInteger(value) && value >= 0))
          mismatches.push({ key, problem: `must be a non-negative integer, got ${describeValue(value)}` });
        else if (kind === 'hyperparameter') {
          const name = key.split('.')[2] as H;
          try {
            checkHyperparameter(this.#name, name, value, this.#specs[name].belowOne === true);
          } catch (error) {
            mismatches.push({ key, problem: (error as Error).message });
          }
        }
      } else if (
        stateKey !== null &&
        Number(stateKey[1]) < this.params.length &&
        this.#stateNames.includes(stateKey[2])
      ) {
        const index = Number(stateKey[1]);
        const param = this.params[index];
        withState.add(index);
        if (!isTensor(value)) mismatches.push({ key, problem: `must be a Tensor, got ${kindOf(value)}` });
        else if (value.isDisposed) mismatches.push({ key, problem: 'was disposed in the dict' });
        else if (!shapesEqual(value.shape, param.shape) || value.dtype !== param.dtype)
          mismatches.push({
            key,
            problem: `is ${formatShape(value.shape)} ${value.dtype} in the dict, the parameter is ${formatShape(param.shape)} ${param.dtype}`,
          });
        else slots.push({ param, slot: stateKey[2], from: value });
      } else unexpected.push(key);
    }
    // A parameter's state is whole or absent: a moment without the other would resume a different run.
    for (const index of [...withState].sort((a, b) => a - b))
      for (const name of this.#stateNames) if (!has(`state.${index}.${name}`)) missing.push(`state.${index}.${name}`);
    if (missing.length > 0 || unexpected.length > 0 || mismatches.length > 0)
      throw new StateDictError(op, missing, unexpected, mismatches);

    // Copied (and kept past any scope) before anything is written, so a failed copy writes nothing.
    const copies: Tensor[] = [];
    try {
      for (const { param, from } of slots) {
        const copy = keep(from.backend === param.backend ? from.detach() : await from.to(param.backend));
        copy.requiresGrad = false;
        copies.push(copy);
      }
    } catch (error) {
      for (const c of copies) c.dispose();
      throw error;
    }
    this.dispose();
    slots.forEach(({ param, slot }, i) => {
      const existing = this.state.get(param) ?? {};
      existing[slot] = copies[i];
      this.state.set(param, existing);
    });
    this.stepCount = dict.stepCount as number;
    this.paramGroups.forEach((group, g) => {
      for (const name of Object.keys(this.#specs) as H[])
        group[name] = dict[`paramGroups.${g}.${name}`] as ParamGroup<H>[H];
    });
  }
}

/** A value as a message about a state dict quotes it: a tensor by its kind, anything else briefly. */
function kindOf(value: unknown): string {
  return isTensor(value) ? `a Tensor ${formatShape(value.shape)} ${value.dtype}` : describeValue(value);
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}
