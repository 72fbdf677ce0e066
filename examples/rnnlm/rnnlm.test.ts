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
import { TimeBatches } from './rnnlm-trainer.ts';
import { SimpleRnnlm } from './simple-rnnlm.ts';
import { main, type RnnlmOptions } from './train.ts';
import { withParameters } from './with-parameters.ts';

// The chapter-5 example: the book's minibatches, the model's gradient against finite differences,
// and the script on a short setting on every backend, checked against the same run in float64.

/** The repository's data sets, as the packages' tests find them. */
const datasets = process.env.GRAPHGRAD_DATASETS || resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');
const dataDir = join(datasets, 'ptb');

/** Three epochs of the first 201 words: 4 steps of 10 streams × 5 words each epoch. */
const SHORT: RnnlmOptions = { maxEpoch: 3, corpusSize: 201, dataDir };

async function shortRun(dtype: FloatDType, backend: Backend) {
  const previous = getBackend();
  setBackend(backend);
  try {
    const lines: string[] = [];
    const outDir = await mkdtemp(join(tmpdir(), 'graphgrad-rnnlm-'));
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
 * float32 against float64 after 12 SGD steps: numpy's default relative tolerance, 1e-5, on the
 * mean loss (log perplexity, about 6). float32 rounds each operation to 6e-8, and the sums of a
 * step (100-term products, a 150-word softmax) and 12 small updates (lr 0.1) stay far below it.
 */
const FLOAT32_RTOL = 1e-5;

describe('TimeBatches', () => {
  it("reads the book's streams: offsets jump apart, continuing from batch to batch and wrapping around", () => {
    const corpus = Int32Array.from({ length: 23 }, (_, i) => i);
    const batches = new TimeBatches(corpus, 2, 4); // 22 positions, jump 11
    expect(batches.itersPerEpoch).toBe(2);
    const first = batches.next();
    expect(Array.from(first.xs)).toEqual([0, 1, 2, 3, 11, 12, 13, 14]);
    expect(Array.from(first.ts)).toEqual([1, 2, 3, 4, 12, 13, 14, 15]);
    batches.next();
    const third = batches.next();
    // positions 8…11 and 19…22, the second stream wrapping at 22 back to 0
    expect(Array.from(third.xs)).toEqual([8, 9, 10, 11, 19, 20, 21, 0]);
    expect(Array.from(third.ts)).toEqual([9, 10, 11, 12, 20, 21, 22, 1]);
  });
});

describe('SimpleRnnlm', () => {
  it("has the book's layers and initial values, and starts at a loss of ln(vocabulary)", async () => {
    const model = new SimpleRnnlm(
      { vocabSize: 418, wordvecSize: 100, hiddenSize: 100 },
      { generator: new Generator(1) },
    );
    expect(model.namedParameters().map(([name, p]) => `${name} ${p.shape.join('x')}`)).toEqual([
      'embed.W 418x100',
      'rnn.cells.0.Wx 100x100',
      'rnn.cells.0.Wh 100x100',
      'rnn.cells.0.b 100',
      'affine.W 100x418',
      'affine.b 418',
    ]);
    const std = async (t: { data(): Promise<ArrayLike<number>> }) => {
      const v = Array.from(await t.data());
      return Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    };
    expect(await std(model.embed.W)).toBeCloseTo(0.01, 3);
    expect(await std(model.rnn.cells[0].Wx)).toBeCloseTo(0.1, 2);
    expect(await std(model.affine.W)).toBeCloseTo(0.1, 2);
    expect(Array.from(await model.affine.b!.data()).every((v) => v === 0)).toBe(true);
    const xs = randint(0, 418, [10, 5], { seed: 2 });
    const ts = randint(0, 418, [10, 5], { seed: 3 });
    expect(await softmaxWithLoss(model.call(xs), ts).item()).toBeCloseTo(Math.log(418), 2);
  });

  it('carries its state across calls until resetState', async () => {
    const model = new SimpleRnnlm({ vocabSize: 7, wordvecSize: 3, hiddenSize: 4 }, { generator: new Generator(1) });
    const xs = randint(0, 7, [2, 3], { seed: 2 });
    const first = await model.call(xs).data();
    const carried = await model.call(xs).data();
    model.resetState();
    const again = await model.call(xs).data();
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(Array.from(carried)).not.toEqual(Array.from(first));
  });

  it('the gradient of every parameter matches finite differences (float64, a tiny model)', async () => {
    const model = new SimpleRnnlm(
      { vocabSize: 6, wordvecSize: 3, hiddenSize: 4 },
      { generator: new Generator(5), dtype: 'float64' },
    );
    const xs = randint(0, 6, [2, 3], { seed: 6 });
    const ts = randint(0, 6, [2, 3], { seed: 7 });
    const params = model.parameters();
    const report = await gradCheck(
      (...ps) =>
        withParameters(model, ps, () => {
          // every evaluation starts from h = 0, so that the function does not change between calls
          model.resetState();
          return softmaxWithLoss(model.call(xs), ts);
        }),
      params,
    );
    expect(report.passed, report.message).toBe(true);
    expect(report.inputs).toHaveLength(6);
  });
});

describe.each(await testBackends())('rnnlm/train.ts on $name', ({ backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'runs', () => {
    it("trains three short epochs with the float64 run's perplexities, writes the plot, ends with the figures", async () => {
      const expected = await float64Run();
      const run = await shortRun('float32', backend!);
      expect(run.perplexities).toHaveLength(3);
      run.perplexities.forEach((p, e) =>
        expect(Math.abs(Math.log(p) - Math.log(expected.perplexities[e]))).toBeLessThan(
          FLOAT32_RTOL * Math.log(expected.perplexities[e]),
        ),
      );
      // ids in order of first appearance: the largest id of the first 201 words + 1
      expect(run.lines[0]).toMatch(/^corpus size: 201, vocabulary size: \d+$/);
      expect(run.lines.slice(1, 4)).toEqual(
        run.perplexities.map((p, e) => `| epoch ${e + 1} | perplexity ${p.toFixed(2)}`),
      );
      expect(run.lines.at(-1)).toMatch(/^perplexity=\d+\.\d\d epochs=3 seconds_per_epoch=\d+\.\d{3}$/);
      expect((await readFile(run.plot, 'utf8')).startsWith('<svg')).toBe(true);
    });
  });
});
