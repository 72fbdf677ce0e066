/**
 * The book's chapter-4 word2vec (`ch04/cbow.py`, `ch04/negative_sampling_layer.py`) written the
 * graphgrad way. The book keeps one `Embedding` layer per context word and one `EmbeddingDot` and
 * `SigmoidWithLoss` per sample, all sharing two weight matrices; here each is one batched
 * operation over all of them, and the tape adds up the shared weights' gradients itself:
 *
 * - `CBOW`: the `[N, 2·window]` context ids through one `Embedding` (W_in), averaged into h `[N, D]`.
 * - `EmbeddingDot`: the output vectors (W_out) of `[N, K]` word ids, each dotted with its row's h:
 *   one batched `matmul` of `[N, K, D]` by `[N, D, 1]`.
 * - `NegativeSamplingLoss`: the target and `sampleSize` negatives drawn by `UnigramSampler`
 *   (count^0.75), scored by `EmbeddingDot`, with sigmoid cross entropy against labels 1, 0, …, 0.
 */
import {
  binaryCrossEntropyWithLogits,
  div,
  Embedding,
  init,
  matmul,
  mean,
  Module,
  squeeze,
  tensor,
  UnigramSampler,
  unsqueeze,
  type FloatDType,
  type Generator,
  type Initializer,
  type Tensor,
} from 'graphgrad';

/** How a model draws and holds its parameters. */
export interface Word2vecOptions {
  /** The generator every initial value is drawn from, in the order the layers are built. */
  readonly generator: Generator;
  /** float32 (default) or float64 (gradient checks, and the reference the tests compare with). */
  readonly dtype?: FloatDType;
}

// The book's word vectors: 0.01·randn.
const wordVectors: Initializer = (shape, o) => init.normal(shape, { ...o, std: 0.01 });

/**
 * The book's `EmbeddingDot`: the dot products of h with the output vectors of the given words.
 *
 * @example
 * const dot = new EmbeddingDot(6022, 100, { generator: new Generator(1) });
 * dot.call(h, ids); // h [100, 100], ids int32 [100, 6] -> scores [100, 6]
 */
export class EmbeddingDot extends Module<[h: Tensor, ids: Tensor], Tensor> {
  /** The output vectors (the book's W_out). */
  readonly embed: Embedding;

  constructor(vocabSize: number, hiddenSize: number, options: Word2vecOptions) {
    super();
    this.embed = new Embedding(vocabSize, hiddenSize, { ...options, init: wordVectors });
  }

  /** Scores `[N, K]`: row n of h `[N, D]` dotted with the vector of each of the ids `[N, K]`. */
  forward(h: Tensor, ids: Tensor): Tensor {
    // [N, K, D]·[N, D, 1] -> [N, K, 1]: one product per row, where the book loops over the K words
    return squeeze(matmul(this.embed.call(ids), unsqueeze(h, 2)), 2);
  }
}

/**
 * The book's `NegativeSamplingLoss`: for each row, its target word scored against h with label 1
 * and `sampleSize` words drawn from the unigram distribution (never the target) with label 0. As
 * the book's sum of K + 1 `SigmoidWithLoss` layers, the loss is the sum over the K + 1 columns of
 * the mean over the rows.
 *
 * The negatives are drawn on the host from the targets' ids, which the loss therefore takes as an
 * `Int32Array` (the minibatch's rows, still on the host); given negatives are used instead.
 *
 * @example
 * const loss = new NegativeSamplingLoss(6022, 100, corpus, { generator: new Generator(1) }, { seed: 2 });
 * loss.call(h, targetIds); // a scalar
 */
export class NegativeSamplingLoss extends Module<[h: Tensor, target: Int32Array, negatives?: Int32Array], Tensor> {
  readonly embedDot: EmbeddingDot;
  /** Draws the negatives: count^power, `sampleSize` distinct words per row, never the target. */
  readonly sampler: UnigramSampler;

  constructor(
    vocabSize: number,
    hiddenSize: number,
    corpus: Int32Array,
    options: Word2vecOptions,
    { power = 0.75, sampleSize = 5, seed = 0 }: { power?: number; sampleSize?: number; seed?: number } = {},
  ) {
    super();
    this.sampler = new UnigramSampler(corpus, power, sampleSize, { seed });
    this.embedDot = new EmbeddingDot(vocabSize, hiddenSize, options);
  }

  /** The loss of h `[N, D]` for the N target ids, against `negatives` (`[N, K]`, row-major) or fresh draws. */
  forward(h: Tensor, target: Int32Array, negatives = this.sampler.getNegativeSample(target).data): Tensor {
    const rows = target.length;
    const columns = negatives.length / rows + 1;
    // Column 0 holds the target (label 1), the others its negatives (label 0).
    const ids = new Int32Array(rows * columns);
    const labels = h.dtype === 'float64' ? new Float64Array(rows * columns) : new Float32Array(rows * columns);
    for (let n = 0; n < rows; n++) {
      ids[n * columns] = target[n];
      ids.set(negatives.subarray(n * (columns - 1), (n + 1) * (columns - 1)), n * columns + 1);
      labels[n * columns] = 1;
    }
    const shape = [rows, columns];
    const scores = this.embedDot.call(h, tensor(ids, { shape }));
    const loss = binaryCrossEntropyWithLogits(scores, tensor(labels, { shape }), { reduction: 'sum' });
    return div(loss, rows);
  }
}

/** The sizes and settings of a CBOW model. */
export interface CbowSettings {
  /** Words in the vocabulary. */
  readonly vocabSize: number;
  /** Length of each word vector (the book: 100). */
  readonly hiddenSize: number;
  /** Negatives per target (the book: 5). */
  readonly sampleSize?: number;
  /** Seed of the negative sampler. */
  readonly samplerSeed?: number;
}

/**
 * The book's `CBOW` with negative sampling: h is the mean of the context words' input vectors,
 * and the loss asks h to score the target above the sampled negatives. `wordVecs` (W_in) are the
 * word vectors the book keeps.
 *
 * @example
 * const model = new CBOW(corpus, { vocabSize: 6022, hiddenSize: 100 }, { generator: new Generator(1) });
 * const loss = model.call(contexts, targetIds); // contexts int32 [100, 10], targetIds an Int32Array of 100
 */
export class CBOW extends Module<[contexts: Tensor, target: Int32Array, negatives?: Int32Array], Tensor> {
  /** The input vectors (the book's W_in), shared by every context position. */
  readonly inEmbed: Embedding;
  readonly nsLoss: NegativeSamplingLoss;

  constructor(corpus: Int32Array, settings: CbowSettings, options: Word2vecOptions) {
    super();
    const { vocabSize, hiddenSize, sampleSize = 5, samplerSeed = 0 } = settings;
    this.inEmbed = new Embedding(vocabSize, hiddenSize, { ...options, init: wordVectors });
    this.nsLoss = new NegativeSamplingLoss(vocabSize, hiddenSize, corpus, options, {
      sampleSize,
      seed: samplerSeed,
    });
  }

  /** The loss for context ids `[N, 2·window]`, their targets' ids (N of them), and any given negatives. */
  forward(contexts: Tensor, target: Int32Array, negatives?: Int32Array): Tensor {
    const h = mean(this.inEmbed.call(contexts), 1);
    return this.nsLoss.call(h, target, negatives);
  }

  /** The word vectors: W_in, one row per word id. */
  get wordVecs(): Tensor {
    return this.inEmbed.W;
  }
}
