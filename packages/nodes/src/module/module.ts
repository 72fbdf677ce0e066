import { ArgumentError, BackendError, isTensor, type Backend, type Shape, type Tensor } from '@graphgrad/core';
import { loadTensors, type LoadStateDictOptions, type LoadStateDictResult, type StateDict } from './state-dict.ts';
import { summary } from './summary.ts';

/** One thing a module holds under a name: a tensor (a parameter or a buffer) or a submodule. */
export interface ModuleMember {
  /** The name in dotted paths: a field name, or a position (`'0'`) in a list or a `Sequential`. */
  readonly name: string;
  /** The tensor or the submodule. */
  readonly value: Tensor | AnyModule;
  /** Puts another tensor in its place (what `to(backend)` uses); absent where that is impossible. */
  readonly replace?: (value: Tensor) => void;
}

/**
 * A module of any input and output types: what walks over a tree of modules hold.
 *
 * @example
 * const layers: AnyModule[] = model.modules();
 */
export type AnyModule = Module<never, unknown>;

/**
 * The base class of a model and of every layer, as PyTorch's `nn.Module`: a subclass assigns its
 * parameters and submodules to fields (typed members, found by walking the instance's own
 * properties, so no string names appear in user code) and defines `forward`.
 *
 * What a module holds, by field:
 * - a leaf `Tensor` with `requiresGrad` is a **parameter** (`parameters()`, updated by optimizers);
 * - a leaf `Tensor` without it is a **buffer** (saved in `stateDict()`, not trained; a parameter
 *   frozen by `requiresGrad = false` becomes one);
 * - a `Module` is a **submodule**, named by its field (`encoder.lstm.cells.0.Wx`);
 * - an array of tensors or modules holds them under their positions (`layers.0.W`).
 *
 * Other fields (numbers, computed tensors, `#private` state such as a recurrent layer's carried
 * state) are not part of the model. `call(...)` runs `forward` and records the output's shape for
 * the summary that `toString()` prints.
 *
 * @example
 * class Net extends Module<[Tensor], Tensor> {
 *   readonly fc1 = new Linear(2, 10);
 *   readonly fc2 = new Linear(10, 3);
 *   forward(x: Tensor): Tensor {
 *     return this.fc2.call(sigmoid(this.fc1.call(x)));
 *   }
 * }
 * const model = new Net();
 * model.namedParameters().map(([name]) => name); // ['fc1.W', 'fc1.b', 'fc2.W', 'fc2.b']
 */
export abstract class Module<In extends unknown[] = Tensor[], Out = Tensor> {
  /** True while training (the default), false after `eval()`: dropout reads it. */
  training = true;
  #outputShapes: readonly Shape[] | null = null;

  /** The module's computation; run it through `call` to have the summary record the output shape. */
  abstract forward(...inputs: In): Out;

  /**
   * Runs `forward` (PyTorch's `model(x)`) and records the output's shape for `toString()`.
   *
   * @example
   * const scores = model.call(x);
   */
  call(...inputs: In): Out {
    const out = this.forward(...inputs);
    this.#outputShapes = outputShapes(out);
    return out;
  }

  /**
   * The tensors and submodules this module holds directly, by name. The default walks the
   * instance's own fields; a container (such as `Sequential`) names its members itself.
   */
  protected members(): ModuleMember[] {
    const found: ModuleMember[] = [];
    const fields = this as Record<string, unknown>;
    for (const [key, value] of Object.entries(this)) {
      if (isTensor(value) || value instanceof Module) {
        const writable = Object.getOwnPropertyDescriptor(this, key)?.writable === true && !Object.isFrozen(this);
        found.push(member(key, value, writable ? (v) => (fields[key] = v) : undefined));
      } else if (Array.isArray(value)) {
        const list = value as unknown[];
        const writable = !Object.isFrozen(list);
        list.forEach((item, i) => {
          if (isTensor(item) || item instanceof Module)
            found.push(member(`${key}.${i}`, item, writable ? (v) => (list[i] = v) : undefined));
        });
      }
    }
    return found;
  }

  /**
   * Every module of the tree with its dotted path, this one first (named `''`), each once.
   *
   * @example
   * model.namedModules().map(([name, m]) => `${name}: ${m.constructor.name}`);
   */
  namedModules(): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const visit = (prefix: string, m: AnyModule): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([prefix, m]);
      for (const { name, value } of m.members()) if (value instanceof Module) visit(join(prefix, name), value);
    };
    visit('', this);
    return out;
  }

  /**
   * Every module of the tree, this one first, each once.
   *
   * @example
   * for (const m of model.modules()) console.log(m.constructor.name);
   */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * The submodules this module holds directly, by name.
   *
   * @example
   * model.namedChildren(); // [['fc1', Linear], ['fc2', Linear]]
   */
  namedChildren(): [string, AnyModule][] {
    return this.members().flatMap(({ name, value }) =>
      value instanceof Module ? [[name, value] as [string, AnyModule]] : [],
    );
  }

  /**
   * Every leaf tensor of the tree with its dotted path (parameters and buffers), in order, a tensor
   * held under two names (weight tying) listed under both; with the members that can replace it.
   */
  #namedTensors(): { name: string; tensor: Tensor; replace?: (value: Tensor) => void }[] {
    const out: { name: string; tensor: Tensor; replace?: (value: Tensor) => void }[] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const { name, value, replace } of m.members()) {
        if (isTensor(value) && value.origin === null) out.push({ name: join(prefix, name), tensor: value, replace });
      }
    }
    return out;
  }

  /**
   * The parameters (leaf tensors with `requiresGrad`) with their dotted paths, each tensor once
   * (under its first name), like PyTorch's `named_parameters()`.
   *
   * @example
   * for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   */
  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    return this.#namedTensors().flatMap(({ name, tensor }) => {
      if (!tensor.requiresGrad || seen.has(tensor)) return [];
      seen.add(tensor);
      return [[name, tensor] as [string, Tensor]];
    });
  }

  /**
   * The parameters, each once, in order: what an optimizer takes.
   *
   * @example
   * const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
   */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * The buffers (leaf tensors without `requiresGrad`: saved, not trained) with their dotted paths.
   *
   * @example
   * model.namedBuffers().map(([name]) => name);
   */
  namedBuffers(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    return this.#namedTensors().flatMap(({ name, tensor }) => {
      if (tensor.requiresGrad || seen.has(tensor)) return [];
      seen.add(tensor);
      return [[name, tensor] as [string, Tensor]];
    });
  }

  /** The book's view of the parameters: `parameters()`, each once. */
  get params(): readonly Tensor[] {
    return this.parameters();
  }

  /** The book's view of the gradients: `params[i].grad` (null before the first backward). */
  get grads(): readonly (Tensor | null)[] {
    return this.parameters().map((p) => p.grad);
  }

  /**
   * The number of parameter elements (each tensor counted once).
   *
   * @example
   * new Linear(10, 3).numParameters(); // 33
   */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * Sets training mode on this module and every submodule (`train(false)` is `eval()`); returns
   * this module.
   *
   * @example
   * model.train();
   */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /**
   * Sets evaluation mode on this module and every submodule: dropout becomes the identity.
   *
   * @example
   * model.eval();
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears the gradient of every parameter.
   *
   * @example
   * model.zeroGrad();
   */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /**
   * Moves every parameter and buffer to `backend`, keeping their names (and their gradients), and
   * resolves to this module. The tensors are replaced by copies on the new backend and the old ones
   * are disposed, so build the optimizer after moving the model. A tied tensor stays tied. Nothing
   * changes when a copy fails.
   *
   * @example
   * await model.to(await createWebGPUBackend());
   */
  async to(backend: Backend): Promise<this> {
    const entries = this.#namedTensors();
    for (const { name, tensor, replace } of entries) {
      if (tensor.backend === backend) continue;
      if (replace === undefined)
        throw new ArgumentError(
          `${this.constructor.name}.to: '${name}' is held by a layer that is not a Module and cannot be moved`,
        );
      if (!backend.dtypes.includes(tensor.dtype))
        throw new BackendError(
          `${this.constructor.name}.to: '${name}' is ${tensor.dtype}, which the ${backend.name} backend cannot hold`,
        );
      void tensor.array; // a disposed tensor throws before anything is copied
    }
    const moved = new Map<Tensor, Tensor>();
    const grads = new Map<Tensor, Tensor>();
    try {
      for (const { tensor } of entries) {
        if (tensor.backend === backend || moved.has(tensor)) continue;
        moved.set(tensor, await tensor.to(backend));
        if (tensor.grad !== null && !tensor.grad.isDisposed) grads.set(tensor, await tensor.grad.to(backend));
      }
    } catch (error) {
      for (const t of [...moved.values(), ...grads.values()]) t.dispose();
      throw error;
    }
    for (const { tensor, replace } of entries) {
      const copy = moved.get(tensor);
      if (copy !== undefined) replace!(copy);
    }
    for (const [old, copy] of moved) {
      const grad = grads.get(old);
      if (grad !== undefined) copy.grad = grad;
      old.grad?.dispose();
      old.dispose();
    }
    return this;
  }

  /**
   * Every parameter and buffer by dotted path, like PyTorch's `state_dict()`: the module's own
   * tensors (not copies). A tied tensor appears under each of its names.
   *
   * @example
   * Object.keys(model.stateDict()); // ['fc1.W', 'fc1.b', 'fc2.W', 'fc2.b']
   */
  stateDict(): StateDict {
    const dict: StateDict = {};
    for (const { name, tensor } of this.#namedTensors()) {
      Object.defineProperty(dict, name, { value: tensor, enumerable: true, writable: true, configurable: true });
    }
    return dict;
  }

  /**
   * Copies the values of `dict` into this module's tensors by name, in place (optimizers keep
   * pointing at the same tensors), like PyTorch's `load_state_dict`. Strict by default: a missing
   * or an unexpected name is an error; a shape or dtype that differs is one always. Every problem is
   * listed in one `StateDictError`, thrown before anything is written: a refused load leaves the
   * module exactly as it was. Tensors on another backend are copied over first (hence async).
   *
   * @example
   * await model.loadStateDict(other.stateDict());
   * const { missingKeys } = await model.loadStateDict(partial, { strict: false });
   */
  async loadStateDict(
    dict: Readonly<Record<string, Tensor | number>>,
    options: LoadStateDictOptions = {},
  ): Promise<LoadStateDictResult> {
    return loadTensors(this.stateDict(), dict, { ...options, caller: `${this.constructor.name}.loadStateDict` });
  }

  /**
   * A summary like Keras' `summary()`: each submodule with its type, the output shape of its latest
   * `call` (`?` before one), and its parameter count, then the total.
   *
   * @example
   * model.call(x);
   * console.log(model.toString());
   */
  toString(): string {
    const named = this.namedModules();
    const names = named.map(([name]) => name);
    return summary(
      this.constructor.name,
      named.map(([name, m]) => ({
        name,
        // how many modules enclose this one (a list's positions are not a level of their own)
        depth: names.filter((other) => other !== '' && name.startsWith(`${other}.`)).length,
        type: m.constructor.name,
        outputShapes: m.#outputShapes,
        parameters: m.numParameters(),
      })),
      this.numParameters(),
    );
  }
}

function member(name: string, value: Tensor | AnyModule, replace: ((v: Tensor) => void) | undefined): ModuleMember {
  return isTensor(value) && replace !== undefined ? { name, value, replace } : { name, value };
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** The shapes of a forward's output: one tensor, or the tensors of a list or of a plain object. */
function outputShapes(out: unknown): readonly Shape[] | null {
  if (isTensor(out)) return [out.shape];
  const items = Array.isArray(out)
    ? (out as unknown[])
    : out !== null && typeof out === 'object' && Object.getPrototypeOf(out) === Object.prototype
      ? Object.values(out)
      : [];
  const shapes = items.filter(isTensor).map((t) => t.shape);
  return shapes.length > 0 ? shapes : null;
}
