import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  Generator,
  getBackend,
  gradCheck,
  lineProgress,
  randn,
  setBackend,
  tensor,
  type Backend,
  type FloatDType,
} from 'graphgrad';
import { testBackends } from '@graphgrad/test-backends';
import { describe, expect, it } from 'vitest';
import { withParameters } from '../rnnlm/with-parameters.ts';
import { CBOW, EmbeddingDot } from './cbow.ts';
import { ANALOGIES, main, QUERIES, type Word2vecOptions } from './train.ts';

// The chapter-4 example: EmbeddingDot and the negative-sampling loss against the book's formulas,
// CBOW's gradient against finite differences, and the script on a short setting on every backend,
// checked against the same run in float64 on the CPU.

/** The repository's data sets, as the packages' tests find them. */
const datasets = process.env.GRAPHGRAD_DATASETS || resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');
const dataDir = join(datasets, 'ptb');

/** Two epochs over the first 1,010 words (1,000 windows, 5 steps of 200 an epoch, reported every 2 steps), vectors of 20. */
const SHORT: Word2vecOptions = {
  maxEpoch: 2,
  corpusSize: 1010,
  hiddenSize: 20,
  batchSize: 200,
  evalInterval: 2,
  dataDir,
};

async function shortRun(dtype: FloatDType, backend: Backend) {
  const previous = getBackend();
  setBackend(backend);
  try {
    const lines: string[] = [];
    const outDir = await mkdtemp(join(tmpdir(), 'graphgrad-word2vec-'));
    const run = await main({ ...SHORT, dtype, outDir, progress: lineProgress(() => {}), log: (l) => lines.push(l) });
    return { ...run, lines };
  } finally {
    setBackend(previous);
  }
}

let reference: ReturnType<typeof shortRun> | undefined;
/** The float64 run on the CPU that every backend's float32 run is checked against (made once). */
const float64Run = () => (reference ??= shortRun('float64', getBackend()));

/**
 * float32 against float64 after 10 Adam steps: numpy's default relative tolerance, 1e-5, on losses
 * near 6·ln 2 ≈ 4.2 (each a sum of six mean sigmoid cross entropies). float32 rounds each operation
 * to 6e-8; Adam's steps are lr-sized whatever the gradient's rounding, so the runs stay together.
 */
const FLOAT32_RTOL = 1e-5;

describe('the chapter-4 layers', () => {
  it("EmbeddingDot: each row's h dotted with the output vector of each of its ids", async () => {
    const dot = new EmbeddingDot(5, 3, { generator: new Generator(1) });
    const h = randn([2, 3], { seed: 2 });
    const ids = tensor([0, 4, 4, 1, 2, 3], { dtype: 'int32', shape: [2, 3] });
    const scores = await dot.call(h, ids).data();
    const [W, hv] = [await dot.embed.W.data(), await h.data()];
    const expected = [0, 4, 4, 1, 2, 3].map((id, k) => {
      const row = Math.floor(k / 3);
      return [0, 1, 2].reduce((s, d) => s + W[id * 3 + d] * hv[row * 3 + d], 0);
    });
    scores.forEach((s, k) => expect(s).toBeCloseTo(expected[k], 6));
  });

  it("the loss is the book's sum of K + 1 SigmoidWithLoss means, over the given target and negatives", async () => {
    const corpus = Int32Array.from([0, 1, 2, 3, 4, 5, 0, 1, 2, 3]);
    const model = new CBOW(corpus, { vocabSize: 6, hiddenSize: 3, sampleSize: 2 }, { generator: new Generator(1) });
    const contexts = tensor([0, 2, 1, 3], { dtype: 'int32', shape: [2, 2] });
    const target = Int32Array.from([1, 2]);
    const negatives = Int32Array.from([3, 4, 5, 0]);
    const loss = await model.call(contexts, target, negatives).item();
    // h = the mean of the context rows of W_in; score = h · W_out[id]
    const [Win, Wout] = [await model.inEmbed.W.data(), await model.nsLoss.embedDot.embed.W.data()];
    const h = [0, 1].map((n) => [0, 1, 2].map((d) => (Win[[0, 1][n] * 3 + d] + Win[[2, 3][n] * 3 + d]) / 2));
    const score = (n: number, id: number) => [0, 1, 2].reduce((s, d) => s + h[n][d] * Wout[id * 3 + d], 0);
    const y = (x: number) => 1 / (1 + Math.exp(-x));
    const columns = [
      [1, 2].map((id, n) => -Math.log(y(score(n, id)))),
      [3, 5].map((id, n) => -Math.log(1 - y(score(n, id)))),
      [4, 0].map((id, n) => -Math.log(1 - y(score(n, id)))),
    ];
    const expected = columns.reduce((s, c) => s + (c[0] + c[1]) / 2, 0);
    expect(loss).toBeCloseTo(expected, 5);
  });

  it('draws fresh negatives for each call when none are given, never the target', () => {
    const corpus = Int32Array.from({ length: 200 }, (_, i) => (i * 7) % 20);
    const model = new CBOW(corpus, { vocabSize: 20, hiddenSize: 3, samplerSeed: 3 }, { generator: new Generator(1) });
    const target = Int32Array.from([4, 9, 13]);
    const a = model.nsLoss.sampler.getNegativeSample(target);
    expect(a.shape).toEqual([3, 5]);
    for (let n = 0; n < 3; n++) expect(Array.from(a.data.subarray(n * 5, n * 5 + 5))).not.toContain(target[n]);
  });

  it('CBOW: the gradient of both word-vector matrices matches finite differences (float64, fixed negatives)', async () => {
    const corpus = Int32Array.from({ length: 40 }, (_, i) => (i * 3) % 8);
    const model = new CBOW(
      corpus,
      { vocabSize: 8, hiddenSize: 3, sampleSize: 2 },
      { generator: new Generator(4), dtype: 'float64' },
    );
    const contexts = tensor([0, 2, 5, 7, 1, 1, 6, 3, 4, 0, 2, 5], { dtype: 'int32', shape: [3, 4] });
    const target = Int32Array.from([1, 4, 3]);
    const negatives = Int32Array.from([2, 5, 0, 7, 6, 1]);
    const params = model.parameters();
    expect(model.namedParameters().map(([name]) => name)).toEqual(['inEmbed.W', 'nsLoss.embedDot.embed.W']);
    const report = await gradCheck(
      (...ps) => withParameters(model, ps, () => model.call(contexts, target, negatives)),
      params,
    );
    expect(report.passed, report.message).toBe(true);
  });
});

describe.each(await testBackends())('word2vec/train.ts on $name', ({ backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'runs', () => {
    it("trains two short epochs with the float64 run's losses, writes the plot, prints the queries and the figures", async () => {
      const expected = await float64Run();
      const run = await shortRun('float32', backend!);
      expect(run.lossList).toHaveLength(expected.lossList.length);
      run.lossList.forEach((loss, i) =>
        expect(Math.abs(loss - expected.lossList[i])).toBeLessThan(FLOAT32_RTOL * expected.lossList[i]),
      );
      run.epochLosses.forEach((loss, e) =>
        expect(Math.abs(loss - expected.epochLosses[e])).toBeLessThan(FLOAT32_RTOL * expected.epochLosses[e]),
      );
      // the first report is after one step of untrained vectors: 6 sigmoid cross entropies at 0, 6·ln 2
      expect(run.lossList[0]).toBeCloseTo(6 * Math.log(2), 3);
      expect(run.lines[0]).toBe('corpus: 1010 words, vocabulary: 6022, pairs: 1000');
      for (const query of QUERIES) expect(run.lines).toContain(`\n[query] ${query}`);
      // "queen" never occurs in ptb.valid.txt: the book prints that it is not found
      expect(run.lines).toContain('queen is not found');
      for (const [a, b, c] of ANALOGIES.slice(1)) expect(run.lines).toContain(`\n[analogy] ${a}:${b} = ${c}:?`);
      const neighbours = run.lines.filter((l) => /^ \S+: -?\d+\.\d{4}$/.test(l));
      expect(neighbours).toHaveLength(5 * (QUERIES.length + ANALOGIES.length - 1));
      expect(run.lines.at(-1)).toMatch(/^loss=\d\.\d{4} epochs=2 seconds_per_epoch=\d+\.\d\d$/);
      expect((await readFile(run.plot, 'utf8')).startsWith('<svg')).toBe(true);
    });
  });
});
