/**
 * The book's chapter-7 PeekySeq2seq step on its addition problems: an encoder (Embedding 13 → 16, LSTM
 * 16 → 128) reads the question (7 characters, reversed as the book's best run does) and hands its
 * last h to a peeky decoder (Embedding 13 → 16; LSTM on concat(h, embedding), 144 → 128, started
 * from h; Affine on concat(h, LSTM output), 256 → 13), trained with teacher forcing on the answer
 * (`_` + 4 characters) by mean softmax cross entropy; gradients clipped to a global norm of 5.0,
 * the book's Adam (lr 0.001), batch 128. The problems come from @graphgrad/datasets' generator of
 * the book's addition.txt (`16+75  _91  `), seed 1984.
 */
import { Generator } from '@graphgrad/core';
import { generateAddition, parseSequence, type SequenceData } from '@graphgrad/datasets';
import type { Array as JaxArray } from '@jax-js/jax';
import { adamTrainer, embed, lstm, timeAffine, timeSoftmaxWithLoss, type Tree } from './jax-layers.ts';
import { f32, i32, ints, num, randn, shapeOf, zeros, type Jax, type Workload, type WorkloadData } from './workload.ts';

const WORDVEC = 16;
const HIDDEN = 128;
const BATCH = 128;
const STEPS = 30;

/**
 * The first `steps · batch` training rows of a sequence problem as minibatches: xs [steps, batch,
 * question length] (reversed along time when `reverse`, as the book's best runs feed them) and ts
 * [steps, batch, answer length].
 */
export function sequenceBatches(problem: SequenceData, steps: number, batch: number, reverse: boolean) {
  const { x, t } = problem.train;
  const [qLen, aLen] = [x.shape[1], t.shape[1]];
  if (x.shape[0] < steps * batch) throw new Error(`sequenceBatches: ${x.shape[0]} rows, ${steps * batch} needed`);
  return {
    xs: ints([steps, batch, qLen], (k) => x.data[k - (k % qLen) + (reverse ? qLen - 1 - (k % qLen) : k % qLen)]),
    ts: ints([steps, batch, aLen], (k) => t.data[k]),
  };
}

/** The sizes of a seq2seq model: the decoder LSTM's input width and the Affine's input width vary. */
interface Seq2seqSizes {
  readonly vocab: number;
  readonly wordvec: number;
  readonly hidden: number;
  readonly decoderInput: number;
  readonly affineInput: number;
}

/** The encoder's and decoder's weights, as the book initialises them. */
export function seq2seqWeights(generator: Generator, sizes: Seq2seqSizes) {
  const { vocab, wordvec, hidden: H, decoderInput, affineInput } = sizes;
  return {
    enc_embed: randn(generator, [vocab, wordvec], 1 / 100),
    enc_Wx: randn(generator, [wordvec, 4 * H], 1 / Math.sqrt(wordvec)),
    enc_Wh: randn(generator, [H, 4 * H], 1 / Math.sqrt(H)),
    enc_b: zeros([4 * H]),
    dec_embed: randn(generator, [vocab, wordvec], 1 / 100),
    dec_Wx: randn(generator, [decoderInput, 4 * H], 1 / Math.sqrt(decoderInput)),
    dec_Wh: randn(generator, [H, 4 * H], 1 / Math.sqrt(H)),
    dec_b: zeros([4 * H]),
    affine_W: randn(generator, [affineInput, vocab], 1 / Math.sqrt(affineInput)),
    affine_b: zeros([vocab]),
  };
}

function data(): WorkloadData {
  // The book's addition problems, generated (the format and the distribution of its addition.txt).
  const problem = parseSequence(generateAddition(STEPS * BATCH * 2, { seed: 1984 }));
  const vocab = problem.idToChar.length;
  return {
    config: { lr: 0.001, clip: 5.0, vocab, hidden: HIDDEN },
    arrays: {
      ...sequenceBatches(problem, STEPS, BATCH, true),
      ...seq2seqWeights(new Generator(1987), {
        vocab,
        wordvec: WORDVEC,
        hidden: HIDDEN,
        decoderInput: WORDVEC + HIDDEN,
        affineInput: 2 * HIDDEN,
      }),
    },
  };
}

/** The jax-js steps of a seq2seq workload: `lossOf(p, xs, ts, one)` trained with the book's Adam and clipping. */
export function seq2seqJax(
  jax: Jax,
  d: WorkloadData,
  lossOf: (p: Tree, xs: JaxArray, ts: JaxArray, one: JaxArray) => JaxArray,
) {
  const names = Object.keys(d.arrays).filter((k) => k !== 'xs' && k !== 'ts');
  const params: Tree = Object.fromEntries(names.map((k) => [k, jax.numpy.array(f32(d, k)).reshape(shapeOf(d, k))]));
  const [, batch, qLen] = shapeOf(d, 'xs');
  const aLen = shapeOf(d, 'ts')[2];
  const xs = i32(d, 'xs');
  const ts = i32(d, 'ts');
  const train = adamTrainer(jax, params, lossOf, num(d, 'lr'), num(d, 'clip'));
  const rows = (a: Int32Array, i: number, len: number) =>
    jax.numpy.array(a.slice(i * batch * len, (i + 1) * batch * len), { dtype: jax.numpy.int32 }).reshape([batch, len]);
  return { step: (i: number) => train([rows(xs, i, qLen), rows(ts, i, aLen)]) };
}

/** The encoder: the LSTM's last h over the embedded question, from zeros. */
export function encodeLast(jax: Jax, p: Tree, xs: JaxArray, one: JaxArray): { hs: JaxArray; h: JaxArray } {
  const { numpy: np } = jax;
  const [n] = xs.shape;
  const H = p.enc_Wh.shape[0];
  const out = lstm(
    jax,
    embed(jax, p.enc_embed, xs, one),
    p.enc_Wx,
    p.enc_Wh,
    p.enc_b,
    np.zeros([n, H]),
    np.zeros([n, H]),
  );
  out.c.dispose();
  return { hs: out.hs, h: out.h };
}

function jaxjs(jax: Jax, d: WorkloadData) {
  const { numpy: np } = jax;
  return seq2seqJax(jax, d, (p, xs, ts, one) => {
    const [n, aLen] = ts.shape;
    const enc = encodeLast(jax, p, xs, one.ref);
    enc.hs.dispose();
    const h = enc.h;
    const H = h.shape[1];
    const steps = aLen - 1;
    // Teacher forcing: the decoder reads the answer without its last character and predicts it without its first.
    const input = embed(jax, p.dec_embed, ts.ref.slice([], [0, steps]), one.ref);
    const peek = np.broadcastTo(h.ref.reshape([n, 1, H]), [n, steps, H]);
    const dec = lstm(jax, np.concatenate([peek.ref, input], 2), p.dec_Wx, p.dec_Wh, p.dec_b, h, np.zeros([n, H]));
    dec.h.dispose();
    dec.c.dispose();
    const scores = timeAffine(jax, np.concatenate([peek, dec.hs], 2), p.affine_W, p.affine_b);
    return timeSoftmaxWithLoss(jax, scores, ts.slice([], [1, aLen]), one);
  });
}

export const peekySeq2seq: Workload = {
  name: 'peeky-seq2seq',
  title:
    "the book's chapter-7 PeekySeq2seq step on addition: word vectors 16, hidden 128, batch 128, reversed input, clip 5.0, Adam lr 0.001",
  python: 'peeky_seq2seq.py',
  steps: STEPS,
  warmup: 5,
  group: 1,
  multithread: false,
  numpy: true,
  tolerance: 1e-5,
  data,
  graphgrad: {
    pending:
      'step not written yet: it waits for the LSTM layer, the Embedding and concat (the peeky decoder concatenates h to its inputs and outputs), which are landing in @graphgrad/nodes',
  },
  jaxjs,
};
