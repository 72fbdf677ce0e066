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
  softmaxWithLoss,
  type Backend,
  type FloatDType,
} from 'graphgrad';
import { testBackends } from '@graphgrad/test-backends';
import { describe, expect, it } from 'vitest';
import { withParameters } from '../rnnlm/with-parameters.ts';
import { formatText, generate, main as generateText } from './generate.ts';
import { BetterRnnlm, Rnnlm } from './rnnlm.ts';
import { main as trainBetter, type TrainBetterRnnlmOptions } from './train-better-rnnlm.ts';
import { main as trainRnnlm, type TrainRnnlmOptions } from './train-rnnlm.ts';

// The chapter-6 example (and chapter 7's generation): the models' parameters, weight tying and
// gradients against finite differences, and both scripts on a short setting on every backend,
// checked against the same runs in float64 on the CPU.

/** The repository's data sets, as the packages' tests find them. */
const datasets = process.env.GRAPHGRAD_DATASETS || resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');
const dataDir = join(datasets, 'ptb');

/**
 * Rnnlm of 16 units: two epochs of 3 steps (4 streams × 5 words of the first 61 words of
 * ptb.valid.txt), reported every step, tested on one step (10 × 35) of ptb.test.txt, 20 words generated.
 */
const SHORT: TrainRnnlmOptions = {
  maxEpoch: 2,
  batchSize: 4,
  timeSize: 5,
  wordvecSize: 16,
  hiddenSize: 16,
  evalInterval: 1,
  trainWords: 61,
  testWords: 351,
  generateWords: 20,
  dataDir,
};

/**
 * BetterRnnlm of 16 units: two epochs of 3 steps (4 streams × 5 words of the training text's first
 * 61 words), validated and tested on one step (10 × 35) of each text.
 */
const SHORT_BETTER: TrainBetterRnnlmOptions = {
  maxEpoch: 2,
  batchSize: 4,
  timeSize: 5,
  hiddenSize: 16,
  trainWords: 61,
  validationWords: 351,
  testWords: 351,
  generateWords: 20,
  dataDir,
};

async function onBackend<T>(backend: Backend, run: (log: (line: string) => void, outDir: string) => Promise<T>) {
  const previous = getBackend();
  setBackend(backend);
  try {
    const lines: string[] = [];
    const result = await run((l) => lines.push(l), await mkdtemp(join(tmpdir(), 'graphgrad-lstm-lm-')));
    return { ...result, lines };
  } finally {
    setBackend(previous);
  }
}

const progress = lineProgress(() => {});
const shortRnnlm = (dtype: FloatDType, backend: Backend) =>
  onBackend(backend, (log, outDir) => trainRnnlm({ ...SHORT, dtype, outDir, progress, log }));
const shortBetter = (dtype: FloatDType, backend: Backend) =>
  onBackend(backend, (log, outDir) => trainBetter({ ...SHORT_BETTER, dtype, outDir, progress, log }));

let rnnlmReference: ReturnType<typeof shortRnnlm> | undefined;
let betterReference: ReturnType<typeof shortBetter> | undefined;

/**
 * float32 against float64, compared as log perplexities (mean losses, about 9): numpy's default
 * relative tolerance, 1e-5. At lr 20 a rounding difference grows about tenfold a step, so the runs
 * are kept to a few steps: float32's 6e-8 per operation then stays well under it.
 */
const FLOAT32_RTOL = 1e-5;
const closeLog = (actual: number, expected: number) =>
  expect(Math.abs(Math.log(actual) - Math.log(expected))).toBeLessThan(FLOAT32_RTOL * Math.log(expected));

describe('the chapter-6 models', () => {
  const sizes = { vocabSize: 7596, wordvecSize: 100, hiddenSize: 100 };

  it("Rnnlm has the book's layers and initial values, and starts at a loss of ln(vocabulary)", async () => {
    const model = new Rnnlm(sizes, { generator: new Generator(1) });
    expect(model.namedParameters().map(([name, p]) => `${name} ${p.shape.join('x')}`)).toEqual([
      'embed.W 7596x100',
      'lstm.cells.0.Wx 100x400',
      'lstm.cells.0.Wh 100x400',
      'lstm.cells.0.b 400',
      'affine.W 100x7596',
      'affine.b 7596',
    ]);
    const std = async (t: { data(): Promise<ArrayLike<number>> }) => {
      const v = Array.from(await t.data());
      return Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    };
    expect(await std(model.embed.W)).toBeCloseTo(0.01, 3);
    expect(await std(model.lstm.cells[0].Wh)).toBeCloseTo(0.1, 2);
    expect(await std(model.affine.W)).toBeCloseTo(0.1, 2);
    const xs = randint(0, 7596, [4, 5], { seed: 2 });
    const ts = randint(0, 7596, [4, 5], { seed: 3 });
    expect(await softmaxWithLoss(model.call(xs), ts).item()).toBeCloseTo(Math.log(7596), 2);
  });

  it('BetterRnnlm: two LSTM layers, and the embedding is the output weight (one tensor, listed once)', () => {
    const model = new BetterRnnlm({ ...sizes, wordvecSize: 64, hiddenSize: 64 }, { generator: new Generator(1) });
    expect(model.namedParameters().map(([name, p]) => `${name} ${p.shape.join('x')}`)).toEqual([
      'b 7596',
      'embed.W 7596x64',
      'lstm.cells.0.Wx 64x256',
      'lstm.cells.0.Wh 64x256',
      'lstm.cells.0.b 256',
      'lstm.cells.1.Wx 64x256',
      'lstm.cells.1.Wh 64x256',
      'lstm.cells.1.b 256',
    ]);
    expect(model.lstm.dropout).toBe(0.5);
    expect(model.dropout.p).toBe(0.5);
    expect(() => new BetterRnnlm({ ...sizes, hiddenSize: 64 }, { generator: new Generator(1) })).toThrow(
      /weight tying needs wordvecSize = hiddenSize, got 100 and 64/,
    );
  });

  it('BetterRnnlm drops out while training and not after eval()', async () => {
    const model = new BetterRnnlm({ vocabSize: 9, wordvecSize: 8, hiddenSize: 8 }, { generator: new Generator(1) });
    const xs = randint(0, 9, [2, 3], { seed: 2 });
    const run = async () => {
      model.resetState();
      return Array.from(await model.call(xs).data());
    };
    const [trainA, trainB] = [await run(), await run()];
    model.eval();
    const [evalA, evalB] = [await run(), await run()];
    expect(trainA).not.toEqual(trainB);
    expect(evalA).toEqual(evalB);
  });

  // Tiny float64 models: every parameter against central differences of the loss, from a zero state.
  const tiny = { vocabSize: 6, wordvecSize: 4, hiddenSize: 4 };
  const xs = randint(0, 6, [2, 3], { seed: 4 });
  const ts = randint(0, 6, [2, 3], { seed: 5 });
  it.each([
    ['Rnnlm', () => new Rnnlm(tiny, { generator: new Generator(6), dtype: 'float64' })],
    // in eval() mode, so that every evaluation sees the same function (no fresh dropout masks)
    [
      'BetterRnnlm (tied weights)',
      () => new BetterRnnlm(tiny, { generator: new Generator(6), dtype: 'float64' }).eval(),
    ],
  ])('%s: the gradient of every parameter matches finite differences', async (_, make) => {
    const model = make();
    const params = model.parameters();
    const report = await gradCheck(
      (...ps) =>
        withParameters(model, ps, () => {
          model.resetState();
          return softmaxWithLoss(model.call(xs), ts);
        }),
      params,
    );
    expect(report.passed, report.message).toBe(true);
  });

  it('generate: starts from the word, never emits a skipped id, and repeats itself for the same seed', async () => {
    const model = new Rnnlm({ vocabSize: 12, wordvecSize: 5, hiddenSize: 6 }, { generator: new Generator(1) });
    const once = () => generate(model, 3, { skipIds: [0, 1], sampleSize: 30, generator: new Generator(7) });
    const ids = await once();
    expect(ids).toHaveLength(30);
    expect(ids[0]).toBe(3);
    expect(ids.some((id) => id === 0 || id === 1)).toBe(false);
    expect(await once()).toEqual(ids);
    expect(model.training).toBe(true);
    expect(formatText([0, 1, 2, 1], ['you', '<eos>', 'said', 'so'])).toBe('you.\n said.\n');
  });
});

describe.each(await testBackends())('lstm-lm scripts on $name', ({ backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'runs', () => {
    it("train-rnnlm: the float64 run's perplexities, the plot, the weights, generated text, the figures", async () => {
      const expected = await (rnnlmReference ??= shortRnnlm('float64', getBackend()));
      const run = await shortRnnlm('float32', backend!);
      expect(run.trainer.pplList).toHaveLength(6);
      run.trainer.pplList.forEach((p, i) => closeLog(p, expected.trainer.pplList[i]));
      run.testPerplexities.forEach((p, e) => closeLog(p, expected.testPerplexities[e]));
      expect(run.lines[0]).toBe('train words: 61, test words: 351, vocabulary: 7596');
      expect(
        run.lines.filter((l) => /^\| epoch \d \| train perplexity \d+\.\d\d \| test perplexity \d+\.\d\d$/.test(l)),
      ).toHaveLength(2);
      expect(run.text.startsWith('you ')).toBe(true);
      expect(run.text.split(/\s+/).filter((w) => w !== '' && w !== '.')).not.toContain('<unk>');
      expect(run.lines.at(-1)).toMatch(
        /^test_perplexity=\d+\.\d\d epochs=2 seconds_per_epoch=\d+\.\d\d test_seconds=\d+\.\d\d$/,
      );
      expect((await readFile(run.plot, 'utf8')).startsWith('<svg')).toBe(true);

      // generate.ts loads the saved weights and, with the same seed, writes the same text
      const generated = await onBackend(backend!, (log) =>
        generateText({
          checkpoint: run.checkpoint,
          wordvecSize: 16,
          hiddenSize: 16,
          seed: 1984,
          dataDir,
          sampleSize: 20,
          log,
        }),
      );
      expect(generated.text).toBe(run.text);
    });

    it("train-better-rnnlm: the float64 run's perplexities and learning rates, the plot, the figures", async () => {
      const expected = await (betterReference ??= shortBetter('float64', getBackend()));
      const run = await shortBetter('float32', backend!);
      run.trainPerplexities.forEach((p, e) => closeLog(p, expected.trainPerplexities[e]));
      run.validationPerplexities.forEach((p, e) => closeLog(p, expected.validationPerplexities[e]));
      closeLog(run.testPerplexity, expected.testPerplexity);
      expect(run.learningRates).toEqual(expected.learningRates);
      expect(run.learningRates[0]).toBe(20);
      expect(run.lines[0]).toBe('train words: 61, validation words: 351, test words: 351');
      expect(run.lines.at(-1)).toMatch(/^test_perplexity=\d+\.\d\d epochs=2 seconds_per_epoch=\d+\.\d\d$/);
      expect((await readFile(run.plot, 'utf8')).startsWith('<svg')).toBe(true);
    });
  });
});
