import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  Generator,
  getBackend,
  gradCheck,
  lineProgress,
  randint,
  randn,
  renderSvg,
  setBackend,
  sum,
  tensor,
  type Backend,
  type FloatDType,
} from 'graphgrad';
import { testBackends } from '@graphgrad/test-backends';
import { describe, expect, it } from 'vitest';
import { withParameters } from '../seq2seq/with-parameters.ts';
import { attentionMapSpec } from './attention-map.ts';
import { attention, AttentionDecoder, AttentionSeq2seq } from './attention-seq2seq.ts';
import { main, type AttentionExampleOptions } from './train-attention.ts';

// The chapter-8 example: attention against the book's step-by-step formulation, the model's
// gradient against finite differences, the heat map, and the script on a short setting on every
// backend, its figures checked against the same run in float64 on the CPU.

const scratch = () => mkdtemp(join(tmpdir(), 'graphgrad-attention-'));

/** The repository's data sets, as the packages' tests find them. */
const datasets = process.env.GRAPHGRAD_DATASETS || resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');
const dataDir = join(datasets, 'sequence');

/** 64 training rows in batches of 32 for 2 epochs (4 updates), hidden 32, 32 validation rows. */
const SHORT: AttentionExampleOptions = {
  epochs: 2,
  batchSize: 32,
  hiddenSize: 32,
  trainRows: 64,
  validationRows: 32,
  maps: 2,
  dataDir,
};

async function shortRun(dtype: FloatDType, backend: Backend, options: AttentionExampleOptions = {}) {
  const cpu = getBackend();
  setBackend(backend);
  try {
    const lines: string[] = [];
    const run = await main({
      ...SHORT,
      ...options,
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

/** numpy's default relative tolerance; the float32 and float64 runs agree far closer (see ../seq2seq). */
const FLOAT32_RTOL = 1e-5;

describe('attention', () => {
  it("equals the book's AttentionWeight and WeightSum step by step: a = softmax(Σ hs·h), c = Σ a·hs", async () => {
    const [N, Te, Td, H] = [2, 5, 3, 4];
    const encHs = randn([N, Te, H], { dtype: 'float64', seed: 1 });
    const decHs = randn([N, Td, H], { dtype: 'float64', seed: 2 });
    const { context, weights } = attention(encHs, decHs);
    expect(weights.shape).toEqual([N, Td, Te]);
    expect(context.shape).toEqual([N, Td, H]);
    const [e, d, a, c] = await Promise.all([encHs.data(), decHs.data(), weights.data(), context.data()]);
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < Td; t++) {
        // AttentionWeight: the scores of the encoder's steps, then their softmax
        const scores = Array.from({ length: Te }, (_, s) => {
          let dot = 0;
          for (let h = 0; h < H; h++) dot += e[(n * Te + s) * H + h] * d[(n * Td + t) * H + h];
          return dot;
        });
        const top = Math.max(...scores);
        const exps = scores.map((v) => Math.exp(v - top));
        const total = exps.reduce((p, q) => p + q, 0);
        exps.forEach((v, s) => expect(a[(n * Td + t) * Te + s]).toBeCloseTo(v / total, 12));
        // WeightSum: the weighted sum of the encoder's hs
        for (let h = 0; h < H; h++) {
          let weighted = 0;
          for (let s = 0; s < Te; s++) weighted += (exps[s] / total) * e[(n * Te + s) * H + h];
          expect(c[(n * Td + t) * H + h]).toBeCloseTo(weighted, 12);
        }
      }
    }
  });

  it('gives the gradient to both sides: the encoder through hs, the decoder through h', async () => {
    const encHs = randn([2, 5, 4], { dtype: 'float64', seed: 3 });
    const decHs = randn([2, 3, 4], { dtype: 'float64', seed: 4 });
    const report = await gradCheck((enc, dec) => sum(attention(enc, dec).context), [encHs, decHs]);
    expect(report.passed, report.message).toBe(true);
  });
});

describe('the chapter-8 model', () => {
  it("has the book's parameters: the decoder's Affine reads concat(c, h), 2H wide", () => {
    const model = new AttentionSeq2seq(
      { vocabSize: 59, wordvecSize: 16, hiddenSize: 256 },
      { generator: new Generator(1) },
    );
    expect(model.decoder).toBeInstanceOf(AttentionDecoder);
    expect(model.namedParameters().map(([name, p]) => `${name} ${p.shape.join('x')}`)).toEqual([
      'encoder.embed.W 59x16',
      'encoder.lstm.cells.0.Wx 16x1024',
      'encoder.lstm.cells.0.Wh 256x1024',
      'encoder.lstm.cells.0.b 1024',
      'decoder.embed.W 59x16',
      'decoder.lstm.cells.0.Wx 16x1024',
      'decoder.lstm.cells.0.Wh 256x1024',
      'decoder.lstm.cells.0.b 1024',
      'decoder.affine.W 512x59',
      'decoder.affine.b 59',
    ]);
  });

  it('generates with the attention of each written character: [N, steps, question length], each row summing to 1', async () => {
    const model = new AttentionSeq2seq(
      { vocabSize: 7, wordvecSize: 4, hiddenSize: 8 },
      { generator: new Generator(2) },
    );
    const xs = randint(0, 7, [3, 6], { seed: 5 });
    const { ids, weights } = model.generateWithAttention(xs, tensor([1, 1, 1], { dtype: 'int32' }), 4);
    expect(ids.shape).toEqual([3, 4]);
    expect(weights.shape).toEqual([3, 4, 6]);
    const sums = await sum(weights, 2).data();
    sums.forEach((s) => expect(s).toBeCloseTo(1, 6));
  });

  it('AttentionSeq2seq: the gradient of every parameter matches finite differences', async () => {
    const model = new AttentionSeq2seq(
      { vocabSize: 5, wordvecSize: 3, hiddenSize: 4 },
      { generator: new Generator(6), dtype: 'float64' },
    );
    const xs = randint(0, 5, [2, 5], { seed: 7 });
    const ts = randint(0, 5, [2, 4], { seed: 8 });
    const params = model.parameters();
    const report = await gradCheck((...ps) => withParameters(model, ps, () => model.forward(xs, ts)), params);
    expect(report.passed, report.message).toBe(true);
    expect(report.inputs).toHaveLength(params.length);
  });
});

describe('the attention map', () => {
  it('is one grey rect per (answer, question) character pair, the question across and the answer down', async () => {
    const input = [...'5/29/87'];
    const output = [...'1987'];
    const weights = output.map((_, o) => input.map((_, i) => (i === o ? 1 : 0)));
    const svg = await renderSvg(attentionMapSpec([{ input, output, weights }]));
    expect((svg.match(/aria-roledescription="rect mark"/g) ?? []).length).toBe(input.length * output.length);
    expect(svg).toContain('5/29/87 → 1987');
    // the positions are the axes' values; each label shows its character alone
    for (const label of ['>/<', '>9<', '>8<']) expect(svg).toContain(label);
  });
});

describe.each(await testBackends())('train-attention on $name', ({ backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'runs', () => {
    it("trains a few iterations with the float64 run's losses, and writes the accuracy plot and the attention map", async () => {
      const expected = await float64Run();
      const run = await shortRun('float32', backend!);
      expect(run.source).toBe(`date.txt from ${dataDir}`);
      expect(run.history.map((h) => h.epoch)).toEqual([1, 2]);
      run.history.forEach((h, e) => {
        expect(Math.abs(h.loss - expected.history[e].loss)).toBeLessThan(FLOAT32_RTOL * h.loss);
        expect(h.accuracy).toBe(expected.history[e].accuracy);
      });
      expect(run.lossList).toHaveLength(expected.lossList.length);
      run.lossList.forEach((loss, i) =>
        expect(Math.abs(loss - expected.lossList[i])).toBeLessThan(FLOAT32_RTOL * loss),
      );
      expect(run.samples).toHaveLength(10);
      const last = run.history[1];
      expect(run.lines.at(-1)).toBe(`loss=${last.loss.toFixed(4)} accuracy=${last.accuracy.toFixed(3)}`);
      const map = await readFile(run.mapPlot, 'utf8');
      // two questions of 29 characters, 10 answer characters each
      expect((map.match(/aria-roledescription="rect mark"/g) ?? []).length).toBe(2 * 29 * 10);
      expect((await readFile(run.accuracyPlot, 'utf8')).startsWith('<svg')).toBe(true);
    });
  });
});

describe('with no data file', () => {
  it('trains on the seeded generator instead, and says so', async () => {
    const empty = await scratch();
    const run = await shortRun('float32', getBackend(), { epochs: 1, seed: 9, dataDir: empty });
    expect(run.lines[0]).toBe(
      `data: date.txt not found (${empty}): 50,000 problems from generateDates (seed 9) instead`,
    );
    expect(run.history).toHaveLength(1);
  });
});
