// The standard layers against their definitions written out in nodes (float64): Linear on [..., in]
// inputs, Embedding, LayerNorm, and RNN, LSTM and GRU unrolled step by step with their cell
// equations, values and gradients; then central differences (gradCheck) on tiny configurations,
// and the recurrent layers' states: given, returned, carried (stateful) and cut from the graph.
import { describe, expect, it } from 'vitest';
import { DTypeError, gradCheck, randint, randn, ShapeError, zeros, type Tensor } from '@graphgrad/core';
import {
  add,
  div,
  Embedding,
  GRU,
  GRUCell,
  init,
  LayerNorm,
  Linear,
  LSTM,
  LSTMCell,
  matmul,
  mean,
  mul,
  reshape,
  RNN,
  RNNCell,
  sigmoid,
  slice,
  sqrt,
  stack,
  sub,
  sum,
  tanh,
  type Module,
  type RecurrentOptions,
} from '../src/index.ts';
import { withParameters } from './support/with-parameters.ts';

const f64 = { dtype: 'float64' } as const;
const values = (t: Tensor): number[] => Array.from(t.dataSync());

function expectClose(actual: Tensor, expected: Tensor, digits = 12): void {
  expect(actual.shape).toEqual(expected.shape);
  const e = values(expected);
  values(actual).forEach((v, i) => expect(v).toBeCloseTo(e[i], digits));
}

/** Σ w·layer(x) with fixed random w: a scalar whose gradient reaches every output element. */
function weighted(out: Tensor, seed: number): Tensor {
  return sum(mul(out, randn(out.shape, { seed, dtype: out.dtype as 'float64' })));
}

/** The gradients `run` leaves on the module's parameters (copied out, then cleared). */
function gradsOf(module: Module<never, unknown>, run: () => Tensor): Tensor[] {
  weighted(run(), 99).backward();
  const grads = module.parameters().map((p) => p.grad!.detach());
  module.zeroGrad();
  return grads;
}

/** gradCheck over the module's parameters and the given inputs. */
async function checkGradients(
  module: Module<never, unknown>,
  inputs: Tensor[],
  run: (...xs: Tensor[]) => Tensor,
): Promise<void> {
  const params = module.parameters();
  const result = await gradCheck(
    (...all) =>
      withParameters(module, all.slice(0, params.length), () => weighted(run(...all.slice(params.length)), 7)),
    [...params, ...inputs],
  );
  expect(result.passed, result.message).toBe(true);
}

describe('Linear', () => {
  it('is x·W + b on [N, in] and on [N, T, in], with PyTorch’s default initialisation', () => {
    const fc = new Linear(4, 3, { seed: 1, ...f64 });
    expect(fc.W.shape).toEqual([4, 3]);
    expect(
      values(fc.W)
        .concat(values(fc.b!))
        .every((v) => Math.abs(v) <= 0.5),
    ).toBe(true);
    const x2 = randn([5, 4], { seed: 2, ...f64 });
    expectClose(fc.call(x2), add(matmul(x2, fc.W), fc.b!), 14);
    const x3 = randn([2, 5, 4], { seed: 3, ...f64 });
    const rows = values(fc.call(x3));
    const reference = values(add(matmul(reshape(x3, [10, 4]), fc.W), fc.b!));
    rows.forEach((v, i) => expect(v).toBeCloseTo(reference[i], 14));
    expect(fc.call(x3).shape).toEqual([2, 5, 3]);
  });

  it('takes an initialiser, drops the bias on request, and refuses a wrong input width', () => {
    const fc = new Linear(3, 2, { bias: false, init: init.zeros });
    expect(fc.b).toBeNull();
    expect(fc.numParameters()).toBe(6);
    expect(values(fc.W)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => fc.call(randn([2, 4]))).toThrow(new ShapeError('Linear: the input is [2,4], expected [..., 3]'));
  });

  it('passes gradCheck on [N, T, in] inputs', async () => {
    const fc = new Linear(3, 2, { seed: 4, ...f64 });
    await checkGradients(fc, [randn([2, 3, 3], { seed: 5, ...f64 })], (x) => fc.call(x));
  });
});

describe('Embedding', () => {
  it('looks up rows by id', async () => {
    const embed = new Embedding(6, 3, { seed: 1, ...f64 });
    expect([embed.numEmbeddings, embed.embeddingDim]).toEqual([6, 3]);
    const ids = randint(0, 6, [2, 4], { seed: 2 });
    const out = embed.call(ids);
    expect(out.shape).toEqual([2, 4, 3]);
    const table = values(embed.W);
    const picked = values(ids).flatMap((id) => table.slice(id * 3, id * 3 + 3));
    expect(values(out)).toEqual(picked);
    await checkGradients(embed, [], () => embed.call(ids));
  });
});

describe('LayerNorm', () => {
  it('normalises the last axes with the biased variance, then scales and shifts', async () => {
    const norm = new LayerNorm([3], f64);
    norm.gamma!.assign(randn([3], { seed: 1, ...f64 }));
    norm.beta!.assign(randn([3], { seed: 2, ...f64 }));
    const x = randn([2, 4, 3], { seed: 3, ...f64 });
    const mu = mean(x, -1, true);
    const variance = mean(mul(sub(x, mu), sub(x, mu)), -1, true);
    const expected = add(mul(div(sub(x, mu), sqrt(add(variance, 1e-5))), norm.gamma!), norm.beta!);
    expectClose(norm.call(x), expected, 13);
    await checkGradients(norm, [x], (t) => norm.call(t));
    expect(() => norm.call(randn([2, 4]))).toThrow(ShapeError);
    expect(new LayerNorm(4, { elementwiseAffine: false }).numParameters()).toBe(0);
  });
});

// --- the recurrent layers, unrolled -----------------------------------------------------------

interface CellWeights {
  Wx: Tensor;
  Wh: Tensor;
  b: Tensor;
  bh?: Tensor;
}

const column = (a: Tensor, k: number, H: number): Tensor => slice(a, [null, [k * H, (k + 1) * H]]);

/** The book's RNN cell written out: h = tanh(x·Wx + h·Wh + b). */
function rnnStep({ Wx, Wh, b }: CellWeights, x: Tensor, h: Tensor): Tensor {
  return tanh(add(add(matmul(x, Wx), matmul(h, Wh)), b));
}

/** The book's LSTM cell written out, gates sliced in the order f, g, i, o. */
function lstmStep({ Wx, Wh, b }: CellWeights, x: Tensor, [h, c]: Tensor[], H: number): Tensor[] {
  const A = add(add(matmul(x, Wx), matmul(h, Wh)), b);
  const f = sigmoid(column(A, 0, H));
  const g = tanh(column(A, 1, H));
  const i = sigmoid(column(A, 2, H));
  const o = sigmoid(column(A, 3, H));
  const next = add(mul(f, c), mul(g, i));
  return [mul(o, tanh(next)), next];
}

/** PyTorch's GRU cell written out, gates sliced in the order r, z, n. */
function gruStep({ Wx, Wh, b, bh }: CellWeights, x: Tensor, h: Tensor, H: number): Tensor {
  const gx = add(matmul(x, Wx), b);
  const gh = add(matmul(h, Wh), bh!);
  const r = sigmoid(add(column(gx, 0, H), column(gh, 0, H)));
  const z = sigmoid(add(column(gx, 1, H), column(gh, 1, H)));
  const n = tanh(add(column(gx, 2, H), mul(r, column(gh, 2, H))));
  return add(mul(sub(1, z), n), mul(z, h));
}

/** Every layer over every step of x `[N, T, D]`, from zeros: the outputs and each layer's final parts. */
function unroll(
  x: Tensor,
  layers: CellWeights[],
  H: number,
  partsCount: number,
  step: (w: CellWeights, x: Tensor, parts: Tensor[]) => Tensor[],
): { output: Tensor; finals: Tensor[][] } {
  const [N, T] = x.shape;
  let input = x;
  const finals: Tensor[][] = [];
  for (const w of layers) {
    let parts = Array.from({ length: partsCount }, () => zeros([N, H], f64));
    const outs: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      parts = step(w, slice(input, [null, t, null]), parts);
      outs.push(parts[0]);
    }
    finals.push(parts);
    input = stack(outs, 1);
  }
  return { output: input, finals };
}

const [N, T, D, H] = [2, 3, 2, 3];

const RECURRENT = [
  {
    name: 'RNN',
    make: (o: RecurrentOptions = {}) => new RNN(D, H, { numLayers: 2, seed: 1, ...f64, ...o }),
    weights: (m: RNN) => m.cells.map((c) => ({ Wx: c.Wx, Wh: c.Wh, b: c.b })),
    parts: 1,
    step: (w: CellWeights, x: Tensor, [h]: Tensor[]) => [rnnStep(w, x, h)],
    state: (s: Tensor): Tensor[] => [s],
  },
  {
    name: 'LSTM',
    make: (o: RecurrentOptions = {}) => new LSTM(D, H, { numLayers: 2, seed: 2, ...f64, ...o }),
    weights: (m: LSTM) => m.cells.map((c) => ({ Wx: c.Wx, Wh: c.Wh, b: c.b })),
    parts: 2,
    step: (w: CellWeights, x: Tensor, parts: Tensor[]) => lstmStep(w, x, parts, H),
    state: (s: { h: Tensor; c: Tensor }): Tensor[] => [s.h, s.c],
  },
  {
    name: 'GRU',
    make: (o: RecurrentOptions = {}) => new GRU(D, H, { numLayers: 2, seed: 3, ...f64, ...o }),
    weights: (m: GRU) => m.cells.map((c) => ({ Wx: c.Wx, Wh: c.Wh, b: c.bx, bh: c.bh })),
    parts: 1,
    step: (w: CellWeights, x: Tensor, [h]: Tensor[]) => [gruStep(w, x, h, H)],
    state: (s: Tensor): Tensor[] => [s],
  },
] as const;

describe.each(RECURRENT)('$name (2 layers, batch first)', (spec) => {
  // The union of the three specs is awkward to call through; each row is used with its own types.
  const make = spec.make as (options?: RecurrentOptions) => RNN | LSTM | GRU;
  const weights = spec.weights as (m: RNN | LSTM | GRU) => CellWeights[];
  const stateParts = spec.state as (s: Tensor | { h: Tensor; c: Tensor }) => Tensor[];

  it('gives the outputs, final state and gradients of its cell equations unrolled step by step', () => {
    const layer = make();
    const x = randn([N, T, D], { seed: 10, ...f64 });
    const { output, state } = layer.forwardWithState(x);
    const reference = unroll(x, weights(layer), H, spec.parts, spec.step);
    expectClose(output, reference.output);
    stateParts(state).forEach((part, k) =>
      expectClose(
        part,
        stack(
          reference.finals.map((f) => f[k]),
          0,
        ),
      ),
    );

    const ours = gradsOf(layer, () => layer.call(x));
    const theirs = gradsOf(layer, () => unroll(x, weights(layer), H, spec.parts, spec.step).output);
    ours.forEach((g, i) => expectClose(g, theirs[i]));
  });

  it('passes gradCheck for every parameter and the input', async () => {
    const layer = make();
    await checkGradients(layer, [randn([N, T, D], { seed: 11, ...f64 })], (x) => layer.call(x));
  });

  it('continues from a given state as from the end of the sequence before it', () => {
    const layer = make();
    const x = randn([N, 4, D], { seed: 12, ...f64 });
    const whole = layer.call(x);
    const first = layer.forwardWithState(slice(x, [null, [0, 2]]));
    const second = layer.call(slice(x, [null, [2, 4]]), first.state as never);
    expectClose(second, slice(whole, [null, [2, 4]]));
  });

  it('stateful: carries the final state into the next call, cut from the graph, until resetState()', () => {
    const layer = make();
    const stateful = make({ stateful: true });
    const x = randn([N, 4, D], { seed: 13, ...f64, requiresGrad: true });
    const whole = layer.call(x);
    const a = slice(x, [null, [0, 2]]);
    const b = slice(x, [null, [2, 4]]);
    expectClose(stateful.call(a), slice(whole, [null, [0, 2]]));
    const continued = stateful.call(b);
    expectClose(continued, slice(whole, [null, [2, 4]]));
    // the carried state is a leaf: the second chunk's loss reaches only its own inputs' steps
    sum(continued).backward();
    const grad = values(x.grad!);
    expect(grad.slice(0, 2 * D).every((v) => v === 0)).toBe(true);
    expect(grad.slice(2 * D, 4 * D).some((v) => v !== 0)).toBe(true);
    expect(() => stateful.call(randn([N + 1, 2, D], { seed: 1, ...f64 }))).toThrow(
      new ShapeError(
        `${spec.name}: the carried state is for a batch of ${N}, the input has ${N + 1}; call resetState() first`,
      ),
    );
    stateful.resetState();
    expectClose(stateful.call(a), slice(whole, [null, [0, 2]]));
  });

  it('refuses an input or a state of the wrong shape or dtype', () => {
    const layer = make();
    expect(() => layer.call(randn([N, D], f64))).toThrow(ShapeError);
    expect(() => layer.call(randn([N, T, D + 1], f64))).toThrow(
      new ShapeError(`${spec.name}: the input is [${N},${T},${D + 1}], expected [N, T, ${D}] (batch first) with T ≥ 1`),
    );
    const { state } = layer.forwardWithState(randn([N, T, D], f64));
    expect(() => layer.call(randn([N + 1, T, D], f64), state as never)).toThrow(ShapeError);
    expect(() => layer.call(randn([N, T, D]), state as never)).toThrow(DTypeError);
  });
});

describe('cells on their own, and an encoder–decoder', () => {
  it('RNNCell, LSTMCell and GRUCell step from zeros or a given state', () => {
    const x = randn([N, D], { seed: 1, ...f64 });
    const rnn = new RNNCell(D, H, { seed: 1, ...f64 });
    expectClose(rnn.call(x), rnnStep(rnn, x, zeros([N, H], f64)));
    const lstm = new LSTMCell(D, H, { seed: 2, ...f64 });
    const h0 = randn([N, H], { seed: 3, ...f64 });
    const c0 = randn([N, H], { seed: 4, ...f64 });
    const { h, c } = lstm.call(x, { h: h0, c: c0 });
    const [hRef, cRef] = lstmStep(lstm, x, [h0, c0], H);
    expectClose(h, hRef);
    expectClose(c, cRef);
    const gru = new GRUCell(D, H, { seed: 5, ...f64 });
    expectClose(gru.call(x, h0), gruStep({ Wx: gru.Wx, Wh: gru.Wh, b: gru.bx, bh: gru.bh }, x, h0, H));
    expect(() => gru.call(x, randn([N, H + 1], f64))).toThrow(ShapeError);
  });

  it("backpropagates a decoder's loss into the encoder through the state it starts from", () => {
    const encoder = new LSTM(D, H, { seed: 6 });
    const decoder = new LSTM(D, H, { seed: 7 });
    const { state } = encoder.forwardWithState(randn([N, T, D], { seed: 8 }));
    sum(decoder.call(randn([N, 2, D], { seed: 9 }), state)).backward();
    expect(encoder.grads.every((g) => g !== null && values(g).some((v) => v !== 0))).toBe(true);
  });
});
