// gradCheck itself: it must pass a correct rule, fail a wrong one with a message that says where,
// leave the caller's tensors alone and leak nothing.
import { describe, expect, it } from 'vitest';
import {
  assertGradCheck,
  cpuBackend,
  defineNode,
  DTypeError,
  GradCheckError,
  gradCheck,
  randn,
  tensor,
  type Tensor,
} from '../src/index.ts';
import { add, exp, matmul, mul, sum, tanh } from '../src/index.ts';

/** y = x², with a correct rule. */
const Square = defineNode({
  kind: 'Square',
  inputs: ['x'],
  forward: (k, [x]) => k.Mul(x, x),
  // dx = 2·x·dy
  backward: ({ inputs: [x] }, dy) => [mul(mul(dy, x), 2)],
});

/** y = x², with a deliberately wrong rule (3·x·dy). */
const WrongSquare = defineNode({
  kind: 'WrongSquare',
  inputs: ['x'],
  forward: (k, [x]) => k.Mul(x, x),
  backward: ({ inputs: [x] }, dy) => [mul(mul(dy, x), 3)],
});

/** y = a·b, right for a, wrong for b (it forgets the factor a). */
const HalfWrongMul = defineNode({
  kind: 'HalfWrongMul',
  inputs: ['a', 'b'],
  forward: (k, [a, b]) => k.Mul(a, b),
  backward: ({ inputs: [, b] }, dy) => [mul(dy, b), dy],
});

/** y = eˣ whose rule forgets the gradient altogether. */
const NoGradExp = defineNode({
  kind: 'NoGradExp',
  inputs: ['x'],
  forward: (k, [x]) => k.Exp(x),
  backward: () => [null],
});

const f64 = (seed: number, shape: number[]): Tensor => randn(shape, { seed, dtype: 'float64' });

describe('gradCheck', () => {
  it('passes a correct node and reports every input', async () => {
    const x = f64(1, [2, 3]);
    const result = await gradCheck((t) => sum(Square.apply([t], undefined)), [x]);
    expect(result.passed).toBe(true);
    expect(result.inputs).toHaveLength(1);
    const [report] = result.inputs;
    expect(report.index).toBe(0);
    expect(report.shape).toEqual([2, 3]);
    expect(report.passed).toBe(true);
    expect(report.relError).toBeLessThan(1e-6);
    expect(report.maxAbsError).toBeLessThan(1e-6);
    expect(result.message).toMatch(
      /^gradCheck passed \(eps 0\.001, atol 0\.000001, rtol 0\.00001\)\n {2}input 0 \[2,3\]: max abs error .*, relative error /,
    );
  });

  it('passes the built-in nodes, with a non-scalar output reduced by random weights', async () => {
    const result = await gradCheck((a, b) => tanh(matmul(a, exp(b))), [f64(2, [3, 2]), f64(3, [2, 4])]);
    expect(result.passed, result.message).toBe(true);
    expect(result.inputs.map((r) => r.shape)).toEqual([
      [3, 2],
      [2, 4],
    ]);
  });

  it('FAILS a node with a wrong backward, saying which input, which element and both values', async () => {
    const x = tensor([[0.5, -1, 2]], { dtype: 'float64' });
    const result = await gradCheck((t) => sum(WrongSquare.apply([t], undefined)), [x]);
    expect(result.passed).toBe(false);
    const [report] = result.inputs;
    expect(report.passed).toBe(false);
    // analytic 3x against numeric 2x: the worst element is the largest |x|.
    expect(report.worst.at).toBe(2);
    expect(report.worst.analytic).toBeCloseTo(6, 12);
    expect(report.worst.numeric).toBeCloseTo(4, 6);
    // ‖3x - 2x‖ / ‖3x‖
    expect(report.relError).toBeCloseTo(1 / 3, 6);
    expect(result.message).toMatch(/^gradCheck FAILED/);
    expect(result.message).toMatch(/input 0 \[1,3\]: .* FAILED at element 2: analytic 6, numeric 4\.0000/);
    await expect(assertGradCheck((t) => sum(WrongSquare.apply([t], undefined)), [x])).rejects.toThrow(GradCheckError);
    await expect(assertGradCheck((t) => sum(WrongSquare.apply([t], undefined)), [x])).rejects.toThrow(
      /FAILED at element 2/,
    );
  });

  it('tells a wrong input from a right one', async () => {
    const result = await gradCheck((a, b) => sum(HalfWrongMul.apply([a, b], undefined)), [f64(4, [4]), f64(5, [4])]);
    expect(result.passed).toBe(false);
    expect(result.inputs.map((r) => r.passed)).toEqual([true, false]);
    expect(result.message).toMatch(/input 0 \[4\]: [^\n]*relative error [^\n]*\d\n/);
    expect(result.message).toMatch(/input 1 \[4\]: .* FAILED at element/);
  });

  it('fails a rule that drops a gradient', async () => {
    const result = await gradCheck((t) => sum(NoGradExp.apply([t], undefined)), [f64(6, [3])]);
    expect(result.passed).toBe(false);
    expect(result.inputs[0].worst.analytic).toBe(0);
  });

  it('passes an input that does not affect the output (zero gradient both ways)', async () => {
    const unused = await gradCheck((a, _b) => sum(mul(a, 2)), [f64(7, [2]), f64(8, [2])]);
    expect(unused.passed).toBe(true);
    expect(unused.inputs[1].maxAbsError).toBe(0);
  });

  it('honours its tolerances', async () => {
    // A rule off by 1e-3 relative passes only when rtol allows it.
    const Slightly = defineNode({
      kind: 'SlightlyOff',
      inputs: ['x'],
      forward: (k, [x]) => k.Mul(x, x),
      backward: ({ inputs: [x] }, dy) => [mul(mul(dy, x), 2.002)],
    });
    const x = [f64(9, [5])];
    expect((await gradCheck((t) => sum(Slightly.apply([t], undefined)), x)).passed).toBe(false);
    expect((await gradCheck((t) => sum(Slightly.apply([t], undefined)), x, { rtol: 1e-2 })).passed).toBe(true);
  });

  it('refuses inputs that are not float64', async () => {
    await expect(gradCheck((t) => sum(t), [randn([2, 2], { seed: 1 })])).rejects.toThrow(DTypeError);
    await expect(gradCheck((t) => sum(t), [randn([2, 2], { seed: 1 })])).rejects.toThrow(
      'gradCheck: input [2,2] is float32; finite differences need float64 inputs',
    );
  });

  it("leaves the caller's tensors alone", async () => {
    const x = randn([3], { seed: 10, dtype: 'float64', requiresGrad: true });
    const before = Array.from(await x.data());
    await gradCheck((t) => sum(mul(t, t)), [x]);
    expect(x.grad).toBeNull();
    expect(x.requiresGrad).toBe(true);
    expect(Array.from(await x.data())).toEqual(before);
  });

  it('leaks no buffers', async () => {
    const backend = cpuBackend();
    const a = randn([3, 2], { seed: 11, dtype: 'float64', backend });
    const b = randn([2], { seed: 12, dtype: 'float64', backend });
    const start = backend.liveBuffers();
    const result = await gradCheck((x, y) => tanh(add(mul(x, y), exp(y))), [a, b]);
    expect(result.passed).toBe(true);
    expect(backend.liveBuffers()).toBe(start);
  });
});
