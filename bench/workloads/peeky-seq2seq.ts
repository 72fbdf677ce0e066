/**
 * The book's chapter-7 PeekySeq2seq step on its addition problems: an encoder (Embedding 13 → 16, LSTM
 * 16 → 128) reads the question (7 characters, reversed as the book's best run does) and hands its
 * last h to a peeky decoder (Embedding 13 → 16; LSTM on concat(h, embedding), 144 → 128, started
 * from h; Affine on concat(h, LSTM output), 256 → 13), trained with teacher forcing on the answer
 * (`_` + 4 characters) by mean softmax cross entropy; gradients clipped to a global norm of 5.0,
 * the book's Adam (lr 0.001), batch 128. The problems come from @graphgrad/datasets' generator of
 * the book's addition.txt (`16+75  _91  `), seed 1984.
 */
import { broadcastTo, Generator, tensor, tidy, zeros, type Tensor } from '@graphgrad/core';
import { generateAddition, parseSequence, type SequenceData } from '@graphgrad/datasets';
import { concat, Embedding, Linear, LSTM, reshape, softmaxWithLoss } from '@graphgrad/nodes';
import { Adam, clipGrads as clipGradients } from '@graphgrad/optim';
import type { Array as JaxArray } from '@jax-js/jax';
import { adamTrainer, embed, lstm, timeAffine, timeSoftmaxWithLoss, type Tree } from './jax-layers.ts';
import {
  f32,
  i32,
  ints,
  loadInto,
  num,
  randn,
  shapeOf,
  zeros as zeroArray,
  type Jax,
  type Workload,
  type WorkloadData,
} from './workload.ts';

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
    enc_b: zeroArray([4 * H]),
    dec_embed: randn(generator, [vocab, wordvec], 1 / 100),
    dec_Wx: randn(generator, [decoderInput, 4 * H], 1 / Math.sqrt(decoderInput)),
    dec_Wh: randn(generator, [H, 4 * H], 1 / Math.sqrt(H)),
    dec_b: zeroArray([4 * H]),
    affine_W: randn(generator, [affineInput, vocab], 1 / Math.sqrt(affineInput)),
    affine_b: zeroArray([vocab]),
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

/** graphgrad's modules of a seq2seq model (encoder, decoder, Affine), holding the shared initial weights. */
export interface Seq2seqModules {
  readonly encEmbed: Embedding;
  readonly encLstm: LSTM;
  readonly decEmbed: Embedding;
  readonly decLstm: LSTM;
  readonly affine: Linear;
}

function seq2seqModules(d: WorkloadData): Seq2seqModules {
  const [vocab, wordvec] = shapeOf(d, 'enc_embed');
  const hidden = num(d, 'hidden');
  const m: Seq2seqModules = {
    encEmbed: new Embedding(vocab, wordvec),
    encLstm: new LSTM(wordvec, hidden),
    decEmbed: new Embedding(vocab, wordvec),
    decLstm: new LSTM(shapeOf(d, 'dec_Wx')[0], hidden),
    affine: new Linear(shapeOf(d, 'affine_W')[0], vocab),
  };
  const [enc, dec] = [m.encLstm.cells[0], m.decLstm.cells[0]];
  for (const [p, name] of [
    [m.encEmbed.W, 'enc_embed'],
    [enc.Wx, 'enc_Wx'],
    [enc.Wh, 'enc_Wh'],
    [enc.b, 'enc_b'],
    [m.decEmbed.W, 'dec_embed'],
    [dec.Wx, 'dec_Wx'],
    [dec.Wh, 'dec_Wh'],
    [dec.b, 'dec_b'],
    [m.affine.W, 'affine_W'],
    [m.affine.b, 'affine_b'],
  ] as const) {
    if (p === null) throw new Error('seq2seq: the Affine has no bias');
    loadInto(d, p, name);
  }
  return m;
}

/**
 * graphgrad's steps of a seq2seq workload: `scoresOf(modules, questions, decoder inputs)` trained by
 * teacher forcing with softmax with loss, the book's clipping and its Adam. The decoder's inputs
 * (the answer without its last character) and targets (without its first) are cut on the host.
 */
export function seq2seqGraphgrad(
  d: WorkloadData,
  scoresOf: (m: Seq2seqModules, questions: Tensor, decoderInput: Tensor) => Tensor,
) {
  const m = seq2seqModules(d);
  const params = Object.values(m).flatMap((module: Seq2seqModules[keyof Seq2seqModules]) => module.parameters());
  const optimizer = new Adam(params, { lr: num(d, 'lr') });
  const clip = num(d, 'clip');
  const [, batch, qLen] = shapeOf(d, 'xs');
  const aLen = shapeOf(d, 'ts')[2];
  const xs = i32(d, 'xs');
  const ts = i32(d, 'ts');
  const answers = (i: number, from: number) => {
    const out = new Int32Array(batch * (aLen - 1));
    for (let r = 0; r < batch; r++) {
      const row = (i * batch + r) * aLen + from;
      out.set(ts.subarray(row, row + aLen - 1), r * (aLen - 1));
    }
    return tensor(out, { shape: [batch, aLen - 1] });
  };
  return {
    step(i: number): number {
      const loss = tidy(() => {
        const questions = tensor(xs.slice(i * batch * qLen, (i + 1) * batch * qLen), { shape: [batch, qLen] });
        optimizer.zeroGrad();
        const l = softmaxWithLoss(scoresOf(m, questions, answers(i, 0)), answers(i, 1));
        l.backward();
        clipGradients(
          params.map((p) => p.grad),
          clip,
        );
        optimizer.step();
        return l;
      });
      const value = loss.itemSync();
      loss.dispose();
      return value;
    },
  };
}

function graphgrad(d: WorkloadData) {
  return seq2seqGraphgrad(d, (m, questions, decoderInput) => {
    const [n, steps] = decoderInput.shape;
    const { state } = m.encLstm.forwardWithState(m.encEmbed.call(questions));
    const H = state.h.shape[2];
    // The encoder's h goes to every decoder step twice: beside its input and beside its output.
    const peek = broadcastTo(reshape(state.h, [n, 1, H]), [n, steps, H]);
    const out = m.decLstm.call(concat([peek, m.decEmbed.call(decoderInput)], 2), {
      h: state.h,
      c: zeros(state.c.shape),
    });
    return m.affine.call(concat([peek, out], 2));
  });
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
  graphgrad,
  jaxjs,
};
