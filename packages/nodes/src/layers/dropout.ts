import { ArgumentError, describeValue, Generator, type Tensor } from '@graphgrad/core';
import { dropout } from '../dropout.ts';
import { Module } from '../module/module.ts';

/** Options of the `Dropout` layer. */
export interface DropoutLayerOptions {
  /** A generator to draw the masks from (default: the global one at each call, `manualSeed`). */
  readonly generator?: Generator;
  /** Seed of a generator of the layer's own, when no `generator` is given. */
  readonly seed?: number;
}

/**
 * Inverted dropout as a layer, PyTorch's `nn.Dropout`: while the module is training, zeroes each
 * element with probability `p` and scales the rest by 1/(1 - p); after `eval()`, the identity.
 *
 * @example
 * const drop = new Dropout(0.5, { seed: 1 });
 * model.eval(); // drop.call(x) is x
 */
export class Dropout extends Module<[x: Tensor], Tensor> {
  readonly #generator: Generator | undefined;

  constructor(
    /** The probability of zeroing an element, in [0, 1]. */
    readonly p = 0.5,
    options: DropoutLayerOptions = {},
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ArgumentError(`Dropout: p must be in [0, 1], got ${describeValue(p)}`);
    this.#generator = options.generator ?? (options.seed === undefined ? undefined : new Generator(options.seed));
  }

  /** `dropout(x, p)` while training, x itself after `eval()`. */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, generator: this.#generator });
  }
}
