/**
 * The book's chapter-8 model (`ch08/attention_seq2seq.py`, `ch08/attention_layer.py`) written the
 * graphgrad way. The book's `TimeAttention` loops over the decoder's steps, each an
 * `AttentionWeight` (a = softmax(Σ hs·h)) and a `WeightSum` (c = Σ a·hs) written with repeats and
 * sums by hand; here all the decoder's steps attend at once with two batched products over
 * `[N, T, H]`: scores = dec_hs · enc_hsᵀ `[N, T_dec, T_enc]`, a = softmax over the encoder's steps,
 * c = a · enc_hs `[N, T_dec, H]`. Their gradients come from the tape.
 *
 * - `AttentionEncoder`: the chapter-7 `Encoder`, giving every step's h `[N, T, H]`.
 * - `AttentionDecoder`: Embedding → LSTM (from the encoder's last h) → attention over the
 *   encoder's steps → Linear on concat(c, h).
 * - `AttentionSeq2seq`: both, with teacher forcing and greedy generation that also gives the
 *   attention weights of every generated character (the book's attention map).
 */
import {
  concat,
  matmul,
  Module,
  slice,
  softmax,
  type Embedding,
  type Linear,
  type LSTM,
  type LSTMState,
  type Tensor,
} from 'graphgrad';
import {
  affineLayer,
  embeddingLayer,
  Encoder,
  EncoderDecoder,
  lstmLayer,
  startFrom,
  type DecoderStep,
  type ModelOptions,
  type Seq2seqSizes,
  type SequenceDecoder,
} from '../seq2seq/seq2seq.ts';

/** The book's AttentionEncoder: every step's h, `[N, T, H]`, not only the last. */
export class AttentionEncoder extends Encoder {
  override forward(xs: Tensor): Tensor {
    return this.hiddenStates(xs);
  }
}

/** What attention gives for each decoder step: the context and the weights that made it. */
export interface Attended {
  /** c = Σ_s a_s·enc_hs_s for each decoder step, `[N, T_dec, H]`. */
  readonly context: Tensor;
  /** a: for each decoder step, a distribution over the encoder's steps, `[N, T_dec, T_enc]`. */
  readonly weights: Tensor;
}

/**
 * The book's TimeAttention for every decoder step at once: each decoder h scores each encoder h by
 * their dot product, the softmax over the encoder's steps turns the scores into weights, and the
 * context is the weighted sum of the encoder's hs.
 */
export function attention(encHs: Tensor, decHs: Tensor): Attended {
  const weights = softmax(matmul(decHs, encHs, { transposeB: true }), -1);
  return { context: matmul(weights, encHs), weights };
}

/** One step of generation with attention: also the weights over the encoder's steps, `[N, 1, T_enc]`. */
export interface AttentionStep extends DecoderStep {
  readonly weights: Tensor;
}

/** The book's AttentionDecoder: LSTM from the encoder's last h, attention, Linear on concat(c, h). */
export class AttentionDecoder
  extends Module<[xs: Tensor, encHs: Tensor], Tensor>
  implements SequenceDecoder<AttentionStep>
{
  readonly embed: Embedding;
  readonly lstm: LSTM;
  readonly affine: Linear;

  constructor({ vocabSize, wordvecSize, hiddenSize }: Seq2seqSizes, options: ModelOptions) {
    super();
    this.embed = embeddingLayer(vocabSize, wordvecSize, options);
    this.lstm = lstmLayer(wordvecSize, hiddenSize, options);
    this.affine = affineLayer(hiddenSize + hiddenSize, vocabSize, options);
  }

  /** Scores `[N, T, V]` for the characters `xs` `[N, T]`, attending over the encoder's `encHs`. */
  forward(xs: Tensor, encHs: Tensor): Tensor {
    return this.step(xs, this.start(encHs), encHs).scores;
  }

  /** The encoder's last h, and c = 0. */
  start(encHs: Tensor): LSTMState {
    return startFrom(slice(encHs, [null, -1]));
  }

  step(xs: Tensor, state: LSTMState, encHs: Tensor): AttentionStep {
    const out = this.lstm.forwardWithState(this.embed.call(xs), state);
    const { context, weights } = attention(encHs, out.output);
    return { scores: this.affine.call(concat([context, out.output], 2)), state: out.state, weights };
  }
}

/** The book's AttentionSeq2seq: `AttentionEncoder` and `AttentionDecoder`. */
export class AttentionSeq2seq extends EncoderDecoder<AttentionStep> {
  constructor(sizes: Seq2seqSizes, options: ModelOptions) {
    const encoder = new AttentionEncoder(sizes, options);
    super(encoder, new AttentionDecoder(sizes, options));
  }

  /**
   * Greedy decoding that also keeps the attention map of each row: `weights` `[N, sampleSize,
   * T_enc]`, row s the distribution over the question's characters when the s-th character was
   * written.
   */
  generateWithAttention(xs: Tensor, startIds: Tensor, sampleSize: number): { ids: Tensor; weights: Tensor } {
    const { ids, steps } = this.generate(xs, startIds, sampleSize);
    return {
      ids,
      weights: concat(
        steps.map((s) => s.weights),
        1,
      ),
    };
  }
}
