/**
 * The book's chapter-6 language models (`ch06/rnnlm.py`, `ch06/better_rnnlm.py`) written the
 * graphgrad way: the `LSTM` module over the whole `[N, T, D]` sequence where the book steps its
 * `TimeLSTM` by hand, a `Linear` on `[N, T, H]` for its `TimeAffine`, `Dropout` for its
 * `TimeDropout`, and `softmaxWithLoss` over the `[N, T, V]` scores (in the trainer) for its
 * `TimeSoftmaxWithLoss`. No `backward` is written: the tape derives it, including the two uses of
 * the tied embedding.
 *
 * - `Rnnlm`: Embedding → LSTM (stateful) → Linear.
 * - `BetterRnnlm`: Embedding → Dropout → LSTM → Dropout → LSTM → Dropout → the embedding's
 *   transpose as the output weights (weight tying), plus a bias.
 */
import {
  add,
  ArgumentError,
  Dropout,
  Embedding,
  init,
  Linear,
  LSTM,
  matmul,
  Module,
  type FloatDType,
  type Generator,
  type Initializer,
  type Tensor,
} from 'graphgrad';

/** The sizes of a language model (the book's `vocab_size`, `wordvec_size`, `hidden_size`). */
export interface RnnlmSizes {
  /** Words in the vocabulary. */
  readonly vocabSize: number;
  /** Length of each word vector (the book: 100 for Rnnlm, 650 for BetterRnnlm). */
  readonly wordvecSize: number;
  /** Features of the LSTMs' state (the book: 100 for Rnnlm, 650 for BetterRnnlm). */
  readonly hiddenSize: number;
}

/** How a model draws and holds its parameters. */
export interface RnnlmOptions {
  /** The generator every initial value is drawn from, in the order the layers are built. */
  readonly generator: Generator;
  /** float32 (default) or float64 (gradient checks, and the reference the tests compare with). */
  readonly dtype?: FloatDType;
}

// The book's initial values: word vectors randn / 100, every weight randn / √fan-in, biases 0.
const wordVectors: Initializer = (shape, o) => init.normal(shape, { ...o, std: 0.01 });

/** The book's `TimeLSTM(stateful=True)` with its initial values, as `layers` stacked LSTMs. */
function lstmLayers(inputSize: number, hiddenSize: number, options: RnnlmOptions, layers = 1, dropout = 0): LSTM {
  return new LSTM(inputSize, hiddenSize, {
    ...options,
    numLayers: layers,
    dropout,
    // the mask between the layers comes from the same generator as the rest, so a seed fixes the run
    dropoutSeed: layers > 1 ? options.generator.int(2 ** 31) : undefined,
    // each call continues from the previous call's final h and c, cut from the graph (truncated BPTT)
    stateful: true,
    init: init.scaledNormal,
    biasInit: init.zeros,
  });
}

/**
 * The book's `Rnnlm`: Embedding → LSTM → Linear, scoring the next word at every position.
 *
 * @example
 * const model = new Rnnlm({ vocabSize: 7596, wordvecSize: 100, hiddenSize: 100 }, { generator: new Generator(1) });
 * const scores = model.call(ids); // [20, 35] word ids -> [20, 35, 7596]
 */
export class Rnnlm extends Module<[xs: Tensor], Tensor> {
  readonly embed: Embedding;
  readonly lstm: LSTM;
  readonly affine: Linear;

  constructor({ vocabSize, wordvecSize, hiddenSize }: RnnlmSizes, options: RnnlmOptions) {
    super();
    this.embed = new Embedding(vocabSize, wordvecSize, { ...options, init: wordVectors });
    this.lstm = lstmLayers(wordvecSize, hiddenSize, options);
    this.affine = new Linear(hiddenSize, vocabSize, { ...options, init: init.scaledNormal, biasInit: init.zeros });
  }

  /** Scores `[N, T, V]` of the next word for word ids `[N, T]`. */
  forward(xs: Tensor): Tensor {
    return this.affine.call(this.lstm.call(this.embed.call(xs)));
  }

  /** The book's `reset_state`: the next call starts from h = c = 0. */
  resetState(): void {
    this.lstm.resetState();
  }
}

/**
 * The book's `BetterRnnlm`: two stacked LSTM layers with dropout on the embedding, between the
 * layers and on the output (the `LSTM` module's own `dropout` is the one between its layers), and
 * weight tying: the scores are h·Eᵀ + b with E the embedding's table, so `wordvecSize` must equal
 * `hiddenSize`. The tape adds both uses' gradients into E, and the optimizer updates it once.
 *
 * @example
 * const model = new BetterRnnlm({ vocabSize: 7596, wordvecSize: 650, hiddenSize: 650 }, { generator: new Generator(1) });
 * model.eval(); // no dropout while evaluating or generating
 */
export class BetterRnnlm extends Module<[xs: Tensor], Tensor> {
  readonly embed: Embedding;
  readonly dropout: Dropout;
  readonly lstm: LSTM;
  /** The output layer's bias, `[V]`; its weights are the embedding's, transposed. */
  readonly b: Tensor;

  constructor({ vocabSize, wordvecSize, hiddenSize }: RnnlmSizes, options: RnnlmOptions & { dropout?: number }) {
    super();
    if (wordvecSize !== hiddenSize)
      throw new ArgumentError(
        `BetterRnnlm: weight tying needs wordvecSize = hiddenSize, got ${wordvecSize} and ${hiddenSize}`,
      );
    const { dropout: p = 0.5 } = options;
    this.embed = new Embedding(vocabSize, wordvecSize, { ...options, init: wordVectors });
    this.dropout = new Dropout(p, { seed: options.generator.int(2 ** 31) });
    this.lstm = lstmLayers(wordvecSize, hiddenSize, options, 2, p);
    this.b = init.zeros([vocabSize], { dtype: options.dtype, requiresGrad: true });
  }

  /** Scores `[N, T, V]` of the next word for word ids `[N, T]`. */
  forward(xs: Tensor): Tensor {
    const hs = this.dropout.call(this.lstm.call(this.dropout.call(this.embed.call(xs))));
    return add(matmul(hs, this.embed.W, { transposeB: true }), this.b);
  }

  /** The book's `reset_state`: the next call starts from h = c = 0 in both layers. */
  resetState(): void {
    this.lstm.resetState();
  }
}
