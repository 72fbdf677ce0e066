import {
  ArgumentError,
  BackendError,
  DisposedTensorError,
  DTypeError,
  formatShape,
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
 * Updates are written in `@graphgrad/nodes` operations under `noGrad` and stored with
 * `param.assign(...)`, so they run on whichever backend holds the parameters, and each step's
 * temporaries are freed (a `tidy` scope): a long run holds a constant number of buffers.
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

  constructor(
    params: OptimizerParams<H>,
    options: { readonly [K in H | CommonHyperparameter]?: number },
    specs: HyperparameterSpecs<H | CommonHyperparameter>,
  ) {
    this.#specs = specs;
    const names = Object.keys(specs) as (H | CommonHyperparameter)[];
    const given = [...(params as Iterable<Tensor | ParamGroupOptions<H>>)];
    const grouped = given.length > 0 && given.every((g) => !isTensor(g) && g !== null && typeof g === 'object');
    const groups = (grouped ? given : [{ params: given }]) as ParamGroupOptions<H>[];
    const owner = new Map<Tensor, number>();
    this.paramGroups = groups.map((group, g) => {
      const list = [...new Set(group.params)];
      for (const p of list) {
        if (!isTensor(p) || !p.requiresGrad || p.origin !== null) {
          throw new ArgumentError(`${this.#name}: parameter ${String(p)} must be a leaf tensor with requiresGrad`);
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
   * gradient of the parameter's shape, dtype and backend), so a step that throws has changed no
   * parameter.
   */
  step(): void {
    this.#checkGroups();
    for (const param of this.params) this.#checkParameter(param);
    this.stepCount++;
    noGrad(() =>
      tidy(() => {
        for (const group of this.paramGroups) {
          for (const param of group.params) {
            if (param.grad !== null) this.update(param, this.decayedGradient(param, param.grad, group), group);
          }
        }
      }),
    );
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
   * Writes `param`'s new value (with `param.assign`) from its gradient (weight decay already
   * applied) and its group's hyperparameters. Runs under noGrad, in a tidy scope; `stepCount` is
   * already advanced.
   */
  protected abstract update(param: Tensor, grad: Tensor, group: ParamGroup<H>): void;

  /**
   * The named state tensors of `param`, created as zeros on first use. They outlive the step's
   * tidy scope; update them with `assign`.
   */
  protected slots<K extends string>(param: Tensor, ...names: K[]): Record<K, Tensor> {
    let slots = this.state.get(param);
    if (slots === undefined) {
      slots = {};
      this.state.set(param, slots);
    }
    for (const name of names) {
      // kept: state lives across steps, past the step's tidy scope
      slots[name] ??= keep(zerosLike(param));
    }
    return slots;
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
   * and dtype, listed in one `StateDictError`), so a refused load changes nothing; the state
   * tensors are copied (to the parameters' backends).
   *
   * @example
   * await adam.loadStateDict(saved.stateDict());
   */
  async loadStateDict(dict: Readonly<OptimizerStateDict>): Promise<void> {
    const op = `${this.#name}.loadStateDict`;
    const expected = new Map<string, 'count' | 'hyperparameter' | 'size'>([['stepCount', 'count']]);
    this.paramGroups.forEach((_, g) => {
      expected.set(`paramGroups.${g}.size`, 'size');
      for (const name of Object.keys(this.#specs)) expected.set(`paramGroups.${g}.${name}`, 'hyperparameter');
    });
    const missing = [...expected.keys()].filter((k) => !Object.prototype.hasOwnProperty.call(dict, k));
    const unexpected: string[] = [];
    const mismatches: StateDictMismatch[] = [];
    const slots: { param: Tensor; slot: string; from: Tensor }[] = [];
    for (const [key, value] of Object.entries(dict)) {
      const kind = expected.get(key);
      const stateKey = /^state\.(\d+)\.(\w+)$/.exec(key);
      if (kind !== undefined) {
        if (typeof value !== 'number') mismatches.push({ key, problem: `must be a number, got ${typeof value}` });
        else if (kind === 'size') {
          const size = this.paramGroups[Number(key.split('.')[1])].params.length;
          if (value !== size) mismatches.push({ key, problem: `is ${value} in the dict, ${size} in the optimizer` });
        } else if (kind === 'count' && !(Number.isSafeInteger(value) && value >= 0))
          mismatches.push({ key, problem: `must be a non-negative integer, got ${value}` });
        else if (kind === 'hyperparameter') {
          const name = key.split('.')[2] as H;
          try {
            checkHyperparameter(this.#name, name, value, this.#specs[name].belowOne === true);
          } catch (error) {
            mismatches.push({ key, problem: (error as Error).message });
          }
        }
      } else if (stateKey !== null && Number(stateKey[1]) < this.params.length) {
        const param = this.params[Number(stateKey[1])];
        if (!isTensor(value)) mismatches.push({ key, problem: `must be a Tensor, got ${typeof value}` });
        else if (value.isDisposed) mismatches.push({ key, problem: 'was disposed in the dict' });
        else if (!shapesEqual(value.shape, param.shape) || value.dtype !== param.dtype)
          mismatches.push({
            key,
            problem: `is ${formatShape(value.shape)} ${value.dtype} in the dict, the parameter is ${formatShape(param.shape)} ${param.dtype}`,
          });
        else slots.push({ param, slot: stateKey[2], from: value });
      } else unexpected.push(key);
    }
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
