import type { Tensor } from '@graphgrad/core';
import { embedding } from '../embedding.ts';
import { normal, type Initializer } from '../module/init.ts';
import { Module } from '../module/module.ts';
import { checkSize, parameterOptions, type LayerOptions } from './layer-options.ts';

/** Options of `Embedding`. */
export interface EmbeddingOptions extends LayerOptions {
  /** The weight's initialiser (default PyTorch's: N(0, 1); the book's is N(0, 0.01²)). */
  readonly init?: Initializer;
}

/**
 * A table of word vectors, PyTorch's `nn.Embedding` and the book's Embedding: `W: [num, dim]`,
 * and `call(ids)` gives the rows of W for int32 ids of any shape, `[...ids.shape, dim]`. Its
 * backward adds each row's gradient into the row it came from (the book's `np.add.at(dW, idx,
 * dout)`), at the cost of the rows picked.
 *
 * @example
 * const embed = new Embedding(10000, 100, { seed: 1 });
 * embed.call(tensor([[12, 7, 7]], { dtype: 'int32' })); // [1, 3, 100]
 */
export class Embedding extends Module<[ids: Tensor], Tensor> {
  /** The word vectors, `[num, dim]`. */
  readonly W: Tensor;

  constructor(
    /** Rows of the table (the vocabulary's size). */
    readonly numEmbeddings: number,
    /** Length of each vector. */
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    checkSize('Embedding', 'numEmbeddings', numEmbeddings);
    checkSize('Embedding', 'embeddingDim', embeddingDim);
    const create = { ...parameterOptions(options), fanIn: numEmbeddings, fanOut: embeddingDim };
    this.W = (options.init ?? normal)([numEmbeddings, embeddingDim], create);
  }

  /** The rows of W for `ids` (int32, any shape). */
  forward(ids: Tensor): Tensor {
    return embedding(this.W, ids);
  }
}
