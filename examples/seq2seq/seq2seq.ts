/**
 * The book's chapter-7 models (`ch07/seq2seq.py`, `ch07/peeky_seq2seq.py`) written the graphgrad
 * way: modules with named fields, the `LSTM` module over a whole `[N, T, D]` sequence where the book
 * steps its `TimeLSTM` by hand, a `Linear` on `[N, T, H]` for its `TimeAffine`, and `crossEntropy`
 * over `[N, T, C]` scores for its `TimeSoftmaxWithLoss`. There is no `backward` anywhere: the tape
 * derives it, including the decoder's gradient flowing back into the encoder's last h.
 *
 * - `Encoder`: Embedding → LSTM; the last step's h sums up the question.
 * - `Decoder`: Embedding → LSTM started from that h (c = 0) → Linear; `step` is one step of generation.
 * - `PeekyDecoder`: the same, with h also concatenated to every LSTM input and every LSTM output.
 * - `Seq2seq`, `PeekySeq2seq`: the loss of a batch with teacher forcing, and greedy `generate`.
 */
import {
  argmax,
  broadcastTo,
  concat,
  crossEntropy,
  Embedding,
  init,
  Linear,
  LSTM,
  Module,
  slice,
  unsqueeze,
  zerosLike,
  type FloatDType,
  type Generator,
  type Initializer,
  type LSTMState,
  type Tensor,
} from 'graphgrad';

/** The sizes of a sequence-to-sequence model (the book's `vocab_size`, `wordvec_size`, `hidden_size`). */
export interface Seq2seqSizes {
  /** Characters in the vocabulary. */
  readonly vocabSize: number;
  /** Length of each character's vector (the book: 16). */
  readonly wordvecSize: number;
  /** Features of the LSTMs' state (the book: 128 for addition, 256 for dates). */
  readonly hiddenSize: number;
}

/** How a model draws and holds its parameters. */
export interface ModelOptions {
  /** The generator every initial value is drawn from, layer after layer (a seed fixes the model). */
  readonly generator: Generator;
  /** float32 (default), or float64: the gradient checks, and the reference the float32 run is checked against. */
  readonly dtype?: FloatDType;
}

// The book's initial values: character vectors 0.01·randn, every weight randn / √fan-in, biases 0.
const characterVectors: Initializer = (shape, o) => init.normal(shape, { ...o, std: 0.01 });

/** The book's `TimeEmbedding` with its initial values. */
export function embeddingLayer(vocabSize: number, wordvecSize: number, options: ModelOptions): Embedding {
  return new Embedding(vocabSize, wordvecSize, { ...options, init: characterVectors });
}

/** The book's `TimeLSTM` with its initial values (Wx, Wh: randn / √fan-in; b = 0). */
export function lstmLayer(inputSize: number, hiddenSize: number, options: ModelOptions): LSTM {
  return new LSTM(inputSize, hiddenSize, { ...options, init: init.scaledNormal, biasInit: init.zeros });
}

/** The book's `TimeAffine` with its initial values, on `[N, T, in]`. */
export function affineLayer(inFeatures: number, outFeatures: number, options: ModelOptions): Linear {
  return new Linear(inFeatures, outFeatures, { ...options, init: init.scaledNormal, biasInit: init.zeros });
}

/** The decoder's first state: the encoder's h `[N, H]`, and c = 0 (the book's `lstm.set_state(h)`). */
export function startFrom(h: Tensor): LSTMState {
  const h0 = unsqueeze(h, 0); // [numLayers = 1, N, H], the LSTM module's layout
  return { h: h0, c: zerosLike(h0) };
}

/** The book's Encoder: the question through Embedding → LSTM, giving the last step's h `[N, H]`. */
export class Encoder extends Module<[xs: Tensor], Tensor> {
  readonly embed: Embedding;
  readonly lstm: LSTM;

  constructor({ vocabSize, wordvecSize, hiddenSize }: Seq2seqSizes, options: ModelOptions) {
    super();
    this.embed = embeddingLayer(vocabSize, wordvecSize, options);
    this.lstm = lstmLayer(wordvecSize, hiddenSize, options);
  }

  /** Every step's h, `[N, T, H]`, for int32 character ids `[N, T]`. */
  hiddenStates(xs: Tensor): Tensor {
    return this.lstm.call(this.embed.call(xs));
  }

  /** The last step's h, `[N, H]` (the book's `hs[:, -1, :]`): all the decoder learns of the question. */
  forward(xs: Tensor): Tensor {
    return slice(this.hiddenStates(xs), [null, -1]);
  }
}

/** One step of generation: the scores of the next character, `[N, 1, V]`, and the state after it. */
export interface DecoderStep {
  readonly scores: Tensor;
  readonly state: LSTMState;
}

/**
 * A decoder as `EncoderDecoder` uses it: scores for a whole teacher-forced answer (`forward`), and
 * generation one character at a time from the encoder's output (`start`, then `step`).
 */
export interface SequenceDecoder<Step extends DecoderStep = DecoderStep> extends Module<
  [xs: Tensor, encoded: Tensor],
  Tensor
> {
  /** The state generation starts from. */
  start(encoded: Tensor): LSTMState;
  /** One character per row `[N, 1]` in, the next character's scores out. */
  step(x: Tensor, state: LSTMState, encoded: Tensor): Step;
}

/** The book's Decoder: Embedding → LSTM (from the encoder's h) → Linear, scoring each next character. */
export class Decoder extends Module<[xs: Tensor, h: Tensor], Tensor> implements SequenceDecoder {
  readonly embed: Embedding;
  readonly lstm: LSTM;
  readonly affine: Linear;

  constructor({ vocabSize, wordvecSize, hiddenSize }: Seq2seqSizes, options: ModelOptions) {
    super();
    this.embed = embeddingLayer(vocabSize, wordvecSize, options);
    this.lstm = lstmLayer(wordvecSize, hiddenSize, options);
    this.affine = affineLayer(hiddenSize, vocabSize, options);
  }

  /** Scores `[N, T, V]` for the characters `xs` `[N, T]`. */
  forward(xs: Tensor, h: Tensor): Tensor {
    return this.step(xs, startFrom(h)).scores;
  }

  start(h: Tensor): LSTMState {
    return startFrom(h);
  }

  /** The same layers over any number of steps from any state: one step when generating. */
  step(xs: Tensor, state: LSTMState): DecoderStep {
    const out = this.lstm.forwardWithState(this.embed.call(xs), state);
    return { scores: this.affine.call(out.output), state: out.state };
  }
}

/**
 * The book's PeekyDecoder: the encoder's h goes to every step, concatenated to each LSTM input
 * (`[N, T, H + D]`) and to each LSTM output before the Linear (`[N, T, H + H]`), so that the
 * question is not forgotten over the steps.
 */
export class PeekyDecoder extends Module<[xs: Tensor, h: Tensor], Tensor> implements SequenceDecoder {
  readonly embed: Embedding;
  readonly lstm: LSTM;
  readonly affine: Linear;

  constructor({ vocabSize, wordvecSize, hiddenSize }: Seq2seqSizes, options: ModelOptions) {
    super();
    this.embed = embeddingLayer(vocabSize, wordvecSize, options);
    this.lstm = lstmLayer(hiddenSize + wordvecSize, hiddenSize, options);
    this.affine = affineLayer(hiddenSize + hiddenSize, vocabSize, options);
  }

  forward(xs: Tensor, h: Tensor): Tensor {
    return this.step(xs, startFrom(h), h).scores;
  }

  start(h: Tensor): LSTMState {
    return startFrom(h);
  }

  step(xs: Tensor, state: LSTMState, h: Tensor): DecoderStep {
    const [N, T] = xs.shape;
    // The book's np.repeat(h, T): h at every step, as a broadcast (its gradient is summed over T).
    const peek = broadcastTo(unsqueeze(h, 1), [N, T, h.shape[1]]);
    const out = this.lstm.forwardWithState(concat([peek, this.embed.call(xs)], 2), state);
    return { scores: this.affine.call(concat([peek, out.output], 2)), state: out.state };
  }
}

/**
 * An encoder and a decoder trained together, the book's `Seq2seq` without the choice of parts:
 * `forward(xs, ts)` is the mean cross entropy of the decoder's scores with teacher forcing (it reads
 * `ts[:, :-1]` and predicts `ts[:, 1:]`), the loss the `Trainer` trains; `generate` decodes greedily.
 */
export class EncoderDecoder<Step extends DecoderStep = DecoderStep> extends Module<[xs: Tensor, ts: Tensor], Tensor> {
  constructor(
    readonly encoder: Encoder,
    readonly decoder: SequenceDecoder<Step>,
  ) {
    super();
  }

  /** The decoder's scores `[N, T - 1, V]` for the answers `ts` `[N, T]` (teacher forcing). */
  scores(xs: Tensor, ts: Tensor): Tensor {
    return this.decoder.call(slice(ts, [null, [null, -1]]), this.encoder.call(xs));
  }

  /** The mean cross entropy over every answer character after the start symbol. */
  forward(xs: Tensor, ts: Tensor): Tensor {
    return crossEntropy(this.scores(xs, ts), slice(ts, [null, [1, null]]));
  }

  /**
   * Greedy decoding, the book's `generate` for a whole batch at once: from `startIds` `[N]`, each
   * step feeds the most likely character back in. Gives the ids `[N, sampleSize]` (on the backend:
   * nothing is read back until the caller asks) and each step's output.
   */
  generate(xs: Tensor, startIds: Tensor, sampleSize: number): { ids: Tensor; steps: Step[] } {
    const encoded = this.encoder.call(xs);
    let x = unsqueeze(startIds, 1);
    let state = this.decoder.start(encoded);
    const ids: Tensor[] = [];
    const steps: Step[] = [];
    for (let s = 0; s < sampleSize; s++) {
      const step = this.decoder.step(x, state, encoded);
      state = step.state;
      x = argmax(step.scores, 2);
      ids.push(x);
      steps.push(step);
    }
    return { ids: concat(ids, 1), steps };
  }
}

/** The book's Seq2seq: `Encoder` and `Decoder`. */
export class Seq2seq extends EncoderDecoder {
  constructor(sizes: Seq2seqSizes, options: ModelOptions) {
    const encoder = new Encoder(sizes, options);
    super(encoder, new Decoder(sizes, options));
  }
}

/** The book's PeekySeq2seq: `Encoder` and `PeekyDecoder`. */
export class PeekySeq2seq extends EncoderDecoder {
  constructor(sizes: Seq2seqSizes, options: ModelOptions) {
    const encoder = new Encoder(sizes, options);
    super(encoder, new PeekyDecoder(sizes, options));
  }
}
