import {
  ArgumentError,
  BackendError,
  DisposedTensorError,
  DTypeError,
  formatShape,
  keep,
  noGrad,
  ShapeError,
  shapesEqual,
  tidy,
  zerosLike,
  type Tensor,
} from '@graphgrad/core';

/**
 * What every optimizer shares, the PyTorch way: the parameters are given once, at construction;
 * `zeroGrad()` clears their gradients, `backward()` fills them, `step()` updates every parameter
 * that has a gradient.
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
 * const optimizer = new SGD(model.params, { lr: 1.0 });
 * optimizer.zeroGrad();
 * model.forward(x, t).backward();
 * optimizer.step();
 */
export abstract class Optimizer {
  /** The parameters, each once, in the order first given. */
  readonly params: readonly Tensor[];
  /** Per-parameter state (velocities, squared-gradient sums, moments), keyed by the parameter. */
  readonly state = new Map<Tensor, Record<string, Tensor>>();
  /** How many times `step()` ran. */
  stepCount = 0;

  constructor(params: Iterable<Tensor>) {
    this.params = [...new Set(params)];
    for (const p of this.params) {
      if (!p.requiresGrad || p.origin !== null) {
        throw new ArgumentError(
          `${this.constructor.name}: parameter ${p.toString()} must be a leaf tensor with requiresGrad`,
        );
      }
    }
  }

  /**
   * Updates every parameter whose `grad` is set, by this optimizer's rule. Everything is checked
   * first (the hyperparameters, and each parameter and gradient: not disposed, the gradient of the
   * parameter's shape, dtype and backend), so a step that throws has changed no parameter.
   */
  step(): void {
    this.checkHyperparameters();
    for (const param of this.params) this.#checkParameter(param);
    this.stepCount++;
    noGrad(() =>
      tidy(() => {
        this.beginStep();
        for (const param of this.params) {
          if (param.grad !== null) this.update(param, param.grad);
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
   * Throws an `ArgumentError` when a hyperparameter (which may be changed between steps) is out of
   * its range; run by `step()` before anything is updated.
   */
  protected checkHyperparameters(): void {}

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
    const op = `${this.constructor.name}.step`;
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

  /** Hook run once per step before the parameters are updated (Adam's bias correction). */
  protected beginStep(): void {}

  /** Writes `param`'s new value (with `param.assign`) from its gradient. Runs under noGrad, in a tidy scope. */
  protected abstract update(param: Tensor, grad: Tensor): void;

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
}
