/**
 * The book's chapter-5 `SimpleRnnlm` (`ch05/simple_rnnlm.py`) written the graphgrad way: its
 * `TimeEmbedding → TimeRNN → TimeAffine → TimeSoftmaxWithLoss` are an `Embedding` over the `[N, T]`
 * ids, the `RNN` module over the whole `[N, T, D]` sequence (stateful, as the book's `TimeRNN`),
 * a `Linear` on `[N, T, H]`, and `softmaxWithLoss` over the `[N, T, V]` scores in the trainer. No
 * `backward` is written: the tape derives it.
 */
import { Embedding, init, Linear, Module, RNN, type FloatDType, type Generator, type Tensor } from 'graphgrad';

/** The sizes of the model (the book's `vocab_size`, `wordvec_size`, `hidden_size`). */
export interface SimpleRnnlmSizes {
  readonly vocabSize: number;
  /** Length of each word vector (the book: 100). */
  readonly wordvecSize: number;
  /** Features of the RNN's state (the book: 100). */
  readonly hiddenSize: number;
}

/** How the model draws and holds its parameters. */
export interface SimpleRnnlmOptions {
  /** The generator every initial value is drawn from, in the order the layers are built. */
  readonly generator: Generator;
  /** float32 (default) or float64 (gradient checks, and the reference the tests compare with). */
  readonly dtype?: FloatDType;
}

/**
 * Embedding → RNN (tanh, stateful) → Linear, scoring the next word at every position. The book's
 * initial values: word vectors randn / 100, weights randn / √fan-in, biases 0.
 *
 * @example
 * const model = new SimpleRnnlm({ vocabSize: 418, wordvecSize: 100, hiddenSize: 100 }, { generator: new Generator(1) });
 * const scores = model.call(ids); // [10, 5] word ids -> [10, 5, 418]
 */
export class SimpleRnnlm extends Module<[xs: Tensor], Tensor> {
  readonly embed: Embedding;
  readonly rnn: RNN;
  readonly affine: Linear;

  constructor({ vocabSize, wordvecSize, hiddenSize }: SimpleRnnlmSizes, options: SimpleRnnlmOptions) {
    super();
    this.embed = new Embedding(vocabSize, wordvecSize, {
      ...options,
      init: (shape, o) => init.normal(shape, { ...o, std: 0.01 }),
    });
    // stateful: each call continues from the previous call's last h, cut from the graph (truncated BPTT)
    this.rnn = new RNN(wordvecSize, hiddenSize, {
      ...options,
      stateful: true,
      init: init.scaledNormal,
      biasInit: init.zeros,
    });
    this.affine = new Linear(hiddenSize, vocabSize, { ...options, init: init.scaledNormal, biasInit: init.zeros });
  }

  /** Scores `[N, T, V]` of the next word for word ids `[N, T]`. */
  forward(xs: Tensor): Tensor {
    return this.affine.call(this.rnn.call(this.embed.call(xs)));
  }

  /** The book's `reset_state`: the next call starts from h = 0. */
  resetState(): void {
    this.rnn.resetState();
  }
}
