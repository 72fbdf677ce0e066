/**
 * The book's `eval_seq2seq` for a whole validation set: greedy decoding in batches, exact-match
 * accuracy, and a few rows printed as the book prints them, with ✓ or ✗.
 */
import { noGrad, slice, tidy, type Tensor } from 'graphgrad';
import type { EncoderDecoder } from './seq2seq.ts';

/** The exact-match accuracy over a validation set, and every row's decoded answer. */
export interface Accuracy {
  /** Rows whose every decoded character matches the answer (padding included), over all rows. */
  readonly accuracy: number;
  /** The decoded ids, `[rows, answer length - 1]` row-major. */
  readonly guesses: Int32Array;
}

/**
 * Decodes every question of `x` greedily from its answer's start symbol (`t[:, 0]`) for as many
 * characters as the answer has after it, `batchSize` rows at a time without gradients, and
 * compares with `t[:, 1:]`.
 */
export async function accuracy(model: EncoderDecoder, x: Tensor, t: Tensor, batchSize = 1000): Promise<Accuracy> {
  const [rows, answerLength] = t.shape;
  const width = answerLength - 1;
  const guesses = new Int32Array(rows * width);
  const expected = await slice(t, [null, [1, null]]).data();
  const wasTraining = model.training;
  model.eval();
  try {
    for (let begin = 0; begin < rows; begin += batchSize) {
      const end = Math.min(rows, begin + batchSize);
      const ids = noGrad(() =>
        tidy(() => {
          const batch = slice(t, [[begin, end], 0]);
          return model.generate(slice(x, [[begin, end]]), batch, width).ids;
        }),
      );
      guesses.set(await ids.data(), begin * width);
      ids.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  let correct = 0;
  for (let row = 0; row < rows; row++) {
    let same = true;
    for (let k = row * width; k < (row + 1) * width && same; k++) same = guesses[k] === expected[k];
    if (same) correct++;
  }
  return { accuracy: rows === 0 ? 0 : correct / rows, guesses };
}

/**
 * `count` rows as the book's `eval_seq2seq` shows them: the question (read forwards again when the
 * model reads it reversed), the decoded answer, ✓ or ✗, and the right answer after a miss.
 */
export async function sampleDecodes(
  options: { x: Tensor; t: Tensor; guesses: Int32Array; idToChar: readonly string[]; reversed: boolean },
  count = 10,
): Promise<string[]> {
  const { x, t, guesses, idToChar, reversed } = options;
  const [rows, qLen] = x.shape;
  const aLen = t.shape[1];
  const width = aLen - 1;
  const [questions, answers] = [await x.data(), await t.data()];
  const text = (ids: ArrayLike<number>): string => Array.from(ids, (id) => idToChar[id]).join('');
  return Array.from({ length: Math.min(count, rows) }, (_, row) => {
    const q = text(questions.subarray(row * qLen, (row + 1) * qLen));
    const question = (reversed ? [...q].reverse().join('') : q).trimEnd();
    const guess = text(guesses.subarray(row * width, (row + 1) * width));
    const answer = text(answers.subarray(row * aLen + 1, (row + 1) * aLen));
    return guess === answer
      ? `✓ ${question} → ${guess.trimEnd()}`
      : `✗ ${question} → ${guess.trimEnd()} (expected ${answer.trimEnd()})`;
  });
}
