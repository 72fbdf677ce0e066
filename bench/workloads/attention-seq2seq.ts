/**
 * The book's chapter-8 AttentionSeq2seq step on its date-format problems: an encoder (Embedding → 16,
 * LSTM 16 → 256) returns every step's h for the question (29 characters, reversed); the decoder
 * (Embedding → 16, LSTM 16 → 256 started from the encoder's last h) attends at each of its 10 steps:
 * a = softmax over the encoder's steps of (hs · h), c = Σ a·hs, and an Affine 512 → vocabulary reads
 * concat(c, h); teacher forcing, mean softmax cross entropy, clip 5.0, the book's Adam (lr 0.001),
 * batch 128. The problems come from @graphgrad/datasets' generator of the book's date.txt
 * (`september 27, 1994           _1994-09-27`), seed 1984.
 */
import { Generator, zeros } from '@graphgrad/core';
import { generateDates, parseSequence } from '@graphgrad/datasets';
import { concat, matmul, softmax } from '@graphgrad/nodes';
import { embed, lstm, timeAffine, timeSoftmaxWithLoss } from './jax-layers.ts';
import { encodeLast, seq2seqGraphgrad, seq2seqJax, seq2seqWeights, sequenceBatches } from './peeky-seq2seq.ts';
import type { Jax, Workload, WorkloadData } from './workload.ts';

const WORDVEC = 16;
const HIDDEN = 256;
const BATCH = 128;
const STEPS = 10;

function data(): WorkloadData {
  // The book's date-format problems, generated (the formats and the distribution of its date.txt).
  const problem = parseSequence(generateDates(STEPS * BATCH * 2, { seed: 1984 }));
  const vocab = problem.idToChar.length;
  const weights = seq2seqWeights(new Generator(1988), {
    vocab,
    wordvec: WORDVEC,
    hidden: HIDDEN,
    decoderInput: WORDVEC,
    affineInput: 2 * HIDDEN,
  });
  return {
    config: { lr: 0.001, clip: 5.0, vocab, hidden: HIDDEN },
    arrays: { ...sequenceBatches(problem, STEPS, BATCH, true), ...weights },
  };
}

function graphgrad(d: WorkloadData) {
  return seq2seqGraphgrad(d, (m, questions, decoderInput) => {
    const { output: encoded, state } = m.encLstm.forwardWithState(m.encEmbed.call(questions));
    const decoded = m.decLstm.call(m.decEmbed.call(decoderInput), { h: state.h, c: zeros(state.c.shape) });
    // Attention for every decoder step at once: weights [N, steps, T_enc], context [N, steps, H].
    const weights = softmax(matmul(decoded, encoded, { transposeB: true }), 2);
    return m.affine.call(concat([matmul(weights, encoded), decoded], 2));
  });
}

function jaxjs(jax: Jax, d: WorkloadData) {
  const { numpy: np, nn } = jax;
  return seq2seqJax(jax, d, (p, xs, ts, one) => {
    const [n, aLen] = ts.shape;
    const enc = encodeLast(jax, p, xs, one.ref);
    const H = enc.h.shape[1];
    const steps = aLen - 1;
    const input = embed(jax, p.dec_embed, ts.ref.slice([], [0, steps]), one.ref);
    const dec = lstm(jax, input, p.dec_Wx, p.dec_Wh, p.dec_b, enc.h, np.zeros([n, H]));
    dec.h.dispose();
    dec.c.dispose();
    // Attention for every decoder step at once: weights [N, steps, T_enc], context [N, steps, H].
    const weights = nn.softmax(np.matmul(dec.hs.ref, np.transpose(enc.hs.ref, [0, 2, 1])), -1);
    const context = np.matmul(weights, enc.hs);
    const scores = timeAffine(jax, np.concatenate([context, dec.hs], 2), p.affine_W, p.affine_b);
    return timeSoftmaxWithLoss(jax, scores, ts.slice([], [1, aLen]), one);
  });
}

export const attentionSeq2seq: Workload = {
  name: 'attention-seq2seq',
  title:
    "the book's chapter-8 AttentionSeq2seq step on dates: word vectors 16, hidden 256, batch 128, reversed input, clip 5.0, Adam lr 0.001",
  python: 'attention_seq2seq.py',
  steps: STEPS,
  warmup: 2,
  group: 1,
  multithread: true,
  numpy: true,
  tolerance: 1e-5,
  data,
  graphgrad,
  jaxjs,
};
