import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  Generator,
  getBackend,
  gradCheck,
  lineProgress,
  randint,
  setBackend,
  tensor,
  type Backend,
  type FloatDType,
} from 'graphgrad';
import { testBackends } from '@graphgrad/test-backends';
import { describe, expect, it } from 'vitest';
import { sampleDecodes } from './accuracy.ts';
import { Decoder, PeekyDecoder, PeekySeq2seq, Seq2seq, type EncoderDecoder } from './seq2seq.ts';
import { loadProblem } from './sequence-data.ts';
import { main, type Seq2seqExampleOptions } from './train-seq2seq.ts';
import { withParameters } from './with-parameters.ts';

// The chapter-7 example: the models' shapes and initial values, their gradients against finite
// differences, and the script itself on a short setting on every backend, its figures checked
// against the same run in float64 on the CPU.

const scratch = () => mkdtemp(join(tmpdir(), 'graphgrad-seq2seq-'));

/** The repository's data sets, as the packages' tests find them. */
const datasets = process.env.GRAPHGRAD_DATASETS || resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');
const dataDir = join(datasets, 'sequence');

/**
 * A few iterations of every variant: 64 training rows in batches of 32 for 2 epochs (4 updates per
 * variant), a model smaller than the book's (hidden 32) so that lavapipe runs it in seconds, and 32
 * validation rows decoded after each epoch.
 */
const SHORT: Seq2seqExampleOptions = {
  epochs: 2,
  batchSize: 32,
  hiddenSize: 32,
  trainRows: 64,
  validationRows: 32,
  dataDir,
};

async function shortRun(dtype: FloatDType, backend: Backend) {
  const cpu = getBackend();
  setBackend(backend);
  try {
    const lines: string[] = [];
    const run = await main({
      ...SHORT,
      dtype,
      outDir: await scratch(),
      progress: lineProgress(() => undefined),
      log: (l) => lines.push(l),
    });
    return { ...run, lines };
  } finally {
    setBackend(cpu);
  }
}

/** The float64 run on the CPU that every backend's float32 run is checked against (made once). */
let reference: ReturnType<typeof shortRun> | undefined;
const float64Run = () => (reference ??= shortRun('float64', getBackend()));

/**
 * float32 against float64 after a few Adam steps: numpy's default relative tolerance, 1e-5. Each
 * loss is a mean of cross entropies near ln 13 ≈ 2.6, and float32's rounding (6e-8 relative per
 * operation) compounded over the LSTMs' steps and four updates stays well under it.
 */
const FLOAT32_RTOL = 1e-5;

describe('the chapter-7 models', () => {
  const sizes = { vocabSize: 13, wordvecSize: 16, hiddenSize: 128 };

  it("has the book's parameters and initial values: vectors 0.01·randn, weights randn/√fan-in, biases 0", async () => {
    const model = new Seq2seq(sizes, { generator: new Generator(1) });
    expect(model.decoder).toBeInstanceOf(Decoder);
    expect(model.namedParameters().map(([name, p]) => `${name} ${p.shape.join('x')}`)).toEqual([
      'encoder.embed.W 13x16',
      'encoder.lstm.cells.0.Wx 16x512',
      'encoder.lstm.cells.0.Wh 128x512',
      'encoder.lstm.cells.0.b 512',
      'decoder.embed.W 13x16',
      'decoder.lstm.cells.0.Wx 16x512',
      'decoder.lstm.cells.0.Wh 128x512',
      'decoder.lstm.cells.0.b 512',
      'decoder.affine.W 128x13',
      'decoder.affine.b 13',
    ]);
    const std = async (t: { data(): Promise<ArrayLike<number>> }) => {
      const v = Array.from(await t.data());
      return Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    };
    const { encoder, decoder } = model as Seq2seq & { decoder: Decoder };
    expect(await std(encoder.embed.W)).toBeCloseTo(0.01, 2);
    expect(await std(encoder.lstm.cells[0].Wx)).toBeCloseTo(1 / Math.sqrt(16), 1);
    expect(await std(encoder.lstm.cells[0].Wh)).toBeCloseTo(1 / Math.sqrt(128), 2);
    expect(await std(decoder.affine.W)).toBeCloseTo(1 / Math.sqrt(128), 2);
    expect(Array.from(await encoder.lstm.cells[0].b.data()).every((v) => v === 0)).toBe(true);
  });

  it('the Peeky decoder reads concat(h, vector) and scores concat(h, output)', () => {
    const model = new PeekySeq2seq(sizes, { generator: new Generator(1) });
    const decoder = model.decoder as PeekyDecoder;
    expect(decoder).toBeInstanceOf(PeekyDecoder);
    expect(decoder.lstm.cells[0].Wx.shape).toEqual([128 + 16, 512]);
    expect(decoder.affine.W.shape).toEqual([256, 13]);
  });

  it('starts at a loss of ln(vocabulary) and generates [N, steps] ids from the start symbol', async () => {
    const model = new Seq2seq(sizes, { generator: new Generator(1) });
    const xs = randint(0, 13, [8, 7], { seed: 2 });
    const ts = randint(0, 13, [8, 5], { seed: 3 });
    expect(await model.forward(xs, ts).item()).toBeCloseTo(Math.log(13), 2);
    const { ids, steps } = model.generate(xs, tensor([6, 6, 6, 6, 6, 6, 6, 6], { dtype: 'int32' }), 4);
    expect(ids.shape).toEqual([8, 4]);
    expect(ids.dtype).toBe('int32');
    expect(steps.map((s) => s.scores.shape)).toEqual(Array(4).fill([8, 1, 13]));
  });

  // A tiny float64 model: every parameter of encoder and decoder against central differences of the loss.
  const tiny = { vocabSize: 5, wordvecSize: 3, hiddenSize: 4 };
  const xs = randint(0, 5, [2, 4], { seed: 4 });
  const ts = randint(0, 5, [2, 4], { seed: 5 });
  it.each([
    [
      'Seq2seq (Encoder + Decoder)',
      (g: Generator): EncoderDecoder => new Seq2seq(tiny, { generator: g, dtype: 'float64' }),
    ],
    ['PeekySeq2seq', (g: Generator): EncoderDecoder => new PeekySeq2seq(tiny, { generator: g, dtype: 'float64' })],
  ])('%s: the gradient of every parameter matches finite differences', async (_, make) => {
    const model = make(new Generator(6));
    const params = model.parameters();
    const report = await gradCheck((...ps) => withParameters(model, ps, () => model.forward(xs, ts)), params);
    expect(report.passed, report.message).toBe(true);
    expect(report.inputs).toHaveLength(params.length);
  });
});

describe('sampleDecodes', () => {
  it('shows the question forwards again, the decoded answer, and ✓ or ✗ with the right answer after a miss', async () => {
    const idToChar = [' ', '1', '+', '2', '_', '3', '4'];
    // "1+2  " reversed, answers "_3 " and "_3 "; decoded "3 " (right) and "4 " (wrong)
    const x = tensor([0, 0, 3, 2, 1, 0, 0, 3, 2, 1], { dtype: 'int32', shape: [2, 5] });
    const t = tensor([4, 5, 0, 4, 5, 0], { dtype: 'int32', shape: [2, 3] });
    const lines = await sampleDecodes({ x, t, guesses: Int32Array.from([5, 0, 6, 0]), idToChar, reversed: true });
    expect(lines).toEqual(['✓ 1+2 → 3', '✗ 1+2 → 4 (expected 3)']);
  });
});

describe.each(await testBackends())('train-seq2seq on $name', ({ backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'runs', () => {
    it("trains the three variants a few iterations, with the float64 run's losses, and writes the plot", async () => {
      const expected = await float64Run();
      const run = await shortRun('float32', backend!);
      expect(run.source).toBe(`addition.txt from ${dataDir}`);
      expect(run.results.map((r) => r.variant)).toEqual(['baseline', 'reversed', 'peeky']);
      run.results.forEach((result, v) => {
        const want = expected.results[v];
        expect(result.history.map((h) => h.epoch)).toEqual([1, 2]);
        result.history.forEach((h, e) => {
          expect(Math.abs(h.loss - want.history[e].loss)).toBeLessThan(FLOAT32_RTOL * want.history[e].loss);
          expect(h.accuracy).toBe(want.history[e].accuracy);
        });
        expect(result.lossList).toHaveLength(want.lossList.length);
        result.lossList.forEach((loss, i) =>
          expect(Math.abs(loss - want.lossList[i])).toBeLessThan(FLOAT32_RTOL * loss),
        );
        expect(result.samples).toHaveLength(10);
        expect(result.samples.every((s) => /^[✓✗] \d+\+\d+ → /.test(s))).toBe(true);
      });
      expect(run.lines[0]).toBe(`data: addition.txt from ${dataDir}`);
      expect(
        run.lines.filter((l) => /^baseline epoch \d: loss \d\.\d{4}, validation accuracy \d+\.\d\d% /.test(l)),
      ).toHaveLength(2);
      expect(run.lines.slice(-3)).toEqual(
        run.results.map(({ variant, history }) => {
          const last = history[history.length - 1];
          return `${variant}: loss=${last.loss.toFixed(4)} accuracy=${last.accuracy.toFixed(3)}`;
        }),
      );
      const svg = await readFile(run.plot, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      for (const name of ['baseline', 'reversed input', 'reversed + Peeky']) expect(svg).toContain(`>${name}</text>`);
    });
  });
});

describe('with no data file', () => {
  it('trains on the seeded generator instead, and says so', async () => {
    const empty = await scratch();
    const problem = await loadProblem('addition', { dir: empty, seed: 7 });
    expect(problem.source).toBe(
      `addition.txt not found (${empty}): 50,000 problems from generateAddition (seed 7) instead`,
    );
    expect(problem.data.train.x.shape).toEqual([45_000, 7]);
    expect(problem.data.test.t.shape).toEqual([5_000, 5]);
    const lines: string[] = [];
    const { results } = await main({
      ...SHORT,
      epochs: 1,
      variants: ['peeky'],
      seed: 7,
      dataDir: empty,
      outDir: await scratch(),
      progress: lineProgress(() => undefined),
      log: (l) => lines.push(l),
    });
    expect(lines[0]).toBe(`data: ${problem.source}`);
    expect(results[0].history).toHaveLength(1);
  });
});
