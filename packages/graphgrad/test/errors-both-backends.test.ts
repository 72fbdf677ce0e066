// Errors are part of the API, on every backend: each promised error is provoked on the CPU and on
// WebGPU and checked for its class and its whole message; a call that rejects its input does so
// before any kernel runs (no kernel called, no buffer left behind); an optimizer step that throws
// leaves every parameter as it was; and every example message of docs/errors.md is what the code
// really throws.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AnomalyError,
  ArgumentError,
  assertGradCheck,
  broadcastTo,
  AxisError,
  BackendError,
  cpuBackend,
  decodeSafetensors,
  defineNode,
  detectAnomaly,
  DisposedTensorError,
  DTypeError,
  GradCheckError,
  gradCheck,
  GradientRuleError,
  GraphFreedError,
  ModifiedInPlaceError,
  GraphgradError,
  NonFiniteSeedError,
  randn,
  SafetensorsError,
  SeedGradientError,
  setBackend,
  ShapeError,
  tensor,
  tidy,
  zeros,
  type Backend,
  type Tensor,
} from '../src/index.ts';
import type { WebGPUBackend } from '@graphgrad/gpu';
import * as nodes from '@graphgrad/nodes';
import { testBackends } from '@graphgrad/test-backends';
import { Adam, clipGrads, SGD, type Optimizer } from '../src/index.ts';

const {
  add,
  argmax,
  branch,
  cast,
  exp,
  gather,
  log,
  matmul,
  mean,
  mul,
  oneHot,
  repeat,
  reshape,
  softmax,
  softmaxWithLoss,
  sqrt,
  sum,
  transpose,
} = nodes;

const backends = await testBackends();

type ErrorClass = abstract new (...args: never[]) => Error;

/** What a case gets: the backend under test and another one its tensors are not on. */
interface Ctx {
  readonly backend: Backend;
  readonly other: Backend;
  readonly f: (values: number[] | number[][], requiresGrad?: boolean) => Tensor;
  readonly i: (values: number[]) => Tensor;
  readonly randn: (shape: number[], requiresGrad?: boolean) => Tensor;
}

interface Provocation {
  /** The call that must throw (or reject). */
  readonly call: () => unknown;
  /** The whole message it must carry (a RegExp where part of it is a stack or a report). */
  readonly message: string | RegExp;
}

interface ErrorCase {
  readonly name: string;
  readonly type: ErrorClass;
  /** Makes the inputs (not measured) and returns the provoking call. */
  readonly setup: (ctx: Ctx) => Provocation;
  /** Only on this backend (the other cannot express the mistake, or checks it differently). */
  readonly only?: 'cpu' | 'webgpu';
  /** The error is about what kernels computed (a gradient rule's result, a NaN), so they ran. */
  readonly afterKernels?: true;
}

const Foo = defineNode({
  kind: 'Foo',
  inputs: ['x'],
  forward: (k, [x]) => k.Exp(x),
  backward: (_ctx, dy) => [sum(dy, 0)],
});
const IntGradient = defineNode({
  kind: 'IntGradient',
  inputs: ['x'],
  forward: (k, [x]) => k.Exp(x),
  backward: (_ctx, dy) => [cast(dy, 'int32')],
});
const WrongRule = defineNode({
  kind: 'WrongRule',
  inputs: ['x'],
  forward: (k, [x]) => k.Exp(x),
  backward: (_c, dy) => [dy],
});

/** A safetensors file whose one tensor starts 4 bytes into the data (a hole before it). */
function holeyFile(): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }));
  const bytes = new Uint8Array(8 + header.length + 8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
  bytes.set(header, 8);
  return bytes;
}

const CASES: readonly ErrorCase[] = [
  // ShapeError
  {
    name: 'matmul of [2,3] by [2,3]',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([2, 3]),
        b = c.randn([2, 3]);
      return { call: () => matmul(a, b), message: 'matmul: cannot multiply [2,3] by [2,3]' };
    },
  },
  {
    name: 'matmul transposed',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([2, 3]),
        b = c.randn([2, 4]);
      return { call: () => matmul(a, b, { transposeB: true }), message: 'matmul: cannot multiply [2,3] by [2,4]ᵀ' };
    },
  },
  {
    name: 'matmul whose batch axes do not broadcast',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([2, 3, 4]),
        b = c.randn([5, 4, 2]);
      return {
        call: () => matmul(a, b),
        message: 'matmul: batch axes [2] of [2,3,4] and [5] of [5,4,2] do not broadcast',
      };
    },
  },
  {
    name: 'add that cannot broadcast',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([2, 3]),
        b = c.randn([4]);
      return { call: () => add(a, b), message: 'add: cannot broadcast [2,3] with [4]' };
    },
  },
  {
    name: 'reshape to another size',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([2, 3]);
      return { call: () => reshape(a, [4, 2]), message: 'reshape: cannot reshape [2,3] (6 elements) into [4,2]' };
    },
  },
  {
    name: 'broadcastTo a shape it cannot reach',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([2, 3]);
      return { call: () => broadcastTo(a, [3, 3]), message: 'broadcastTo: cannot broadcast [2,3] to [3,3]' };
    },
  },
  {
    name: 'softmaxWithLoss with a target of another shape',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([4, 3]),
        b = c.randn([4, 2]);
      return {
        call: () => softmaxWithLoss(a, b),
        message: 'softmaxWithLoss: target [4,2] does not match logits [4,3]',
      };
    },
  },
  {
    name: 'softmaxWithLoss with too few class indices',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([4, 3]),
        b = c.i([0, 1, 2]);
      return {
        call: () => softmaxWithLoss(a, b),
        message: 'softmaxWithLoss: class indices [3] do not match logits [4,3] (expected [4])',
      };
    },
  },
  {
    name: 'itemSync of two elements',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([2]);
      return { call: () => a.itemSync(), message: 'itemSync: needs a tensor of one element, got [2]' };
    },
  },
  {
    name: 'item of two elements',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([2]);
      return { call: () => a.item(), message: 'item: needs a tensor of one element, got [2]' };
    },
  },
  {
    name: 'assign of another shape',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([2]),
        b = c.randn([3]);
      return { call: () => a.assign(b), message: 'assign: cannot assign [3] to [2]' };
    },
  },
  {
    name: 'tensor from a ragged array',
    type: ShapeError,
    setup: (c) => ({
      call: () => c.f([[1, 2], [3]]),
      message: 'tensor: ragged nested array; every list at depth 1 must have 2 elements for shape [2,2]',
    }),
  },
  {
    name: 'gather of a row that does not exist',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([3, 2]),
        b = c.i([0, 3]);
      return { call: () => gather(a, b), message: 'gather: index 3 is outside the 3 rows of [3,2]' };
    },
  },

  {
    name: 'tensor of too few values for its shape',
    type: ShapeError,
    setup: (c) => ({
      call: () => tensor([1, 2], { shape: [3], backend: c.backend }),
      message: 'tensor: 2 values cannot take shape [3]',
    }),
  },
  {
    name: 'softmaxWithLoss of a vector',
    type: ShapeError,
    setup: (c) => {
      const a = c.randn([3]),
        b = c.i([0]);
      return {
        call: () => softmaxWithLoss(a, b),
        message: 'softmaxWithLoss: logits must be [N, C] with N, C ≥ 1, got [3]',
      };
    },
  },

  // DTypeError
  {
    name: 'add of float32 and float64',
    type: DTypeError,
    only: 'cpu',
    setup: (c) => {
      const a = c.randn([2]),
        b = randn([2], { dtype: 'float64', backend: c.backend });
      return { call: () => add(a, b), message: 'add: dtypes differ: a is float32, b is float64' };
    },
  },
  {
    name: 'mul with an int32 tensor',
    type: DTypeError,
    setup: (c) => {
      const a = c.randn([2]),
        b = c.i([1, 2]);
      return { call: () => mul(a, b), message: "mul: input 'b' is int32; mul needs float32 or float64" };
    },
  },
  {
    name: 'mul of an int32 tensor by a number',
    type: DTypeError,
    setup: (c) => {
      const a = c.i([1, 2]);
      return { call: () => mul(a, 2), message: "mul: input 'a' is int32; mul needs float32 or float64" };
    },
  },
  {
    name: 'exp of int32',
    type: DTypeError,
    setup: (c) => {
      const a = c.i([1, 2]);
      return { call: () => exp(a), message: "exp: input 'x' is int32; exp needs float32 or float64" };
    },
  },
  {
    name: 'sum of int32',
    type: DTypeError,
    setup: (c) => {
      const a = c.i([1, 2]);
      return { call: () => sum(a), message: "sum: input 'x' is int32; sum needs float32 or float64" };
    },
  },
  {
    name: 'gather with float indices',
    type: DTypeError,
    setup: (c) => {
      const a = c.randn([3, 2]),
        b = c.randn([2]);
      return { call: () => gather(a, b), message: 'gather: indices must be int32, got float32' };
    },
  },
  {
    name: 'oneHot of floats',
    type: DTypeError,
    setup: (c) => {
      const a = c.randn([2]);
      return { call: () => oneHot(a, 3), message: 'oneHot: indices must be int32, got float32' };
    },
  },
  {
    name: 'int32 zeros requiring a gradient',
    type: DTypeError,
    setup: (c) => ({
      call: () => zeros([2], { dtype: 'int32', requiresGrad: true, backend: c.backend }),
      message: 'requiresGrad: a int32 tensor cannot require a gradient (only float32 and float64 can)',
    }),
  },
  {
    name: 'an int32 tensor requiring a gradient',
    type: DTypeError,
    setup: (c) => ({
      call: () => tensor([1], { dtype: 'int32', requiresGrad: true, backend: c.backend }),
      message: 'requiresGrad: a int32 tensor cannot require a gradient (only float32 and float64 can)',
    }),
  },
  {
    name: 'assign of another dtype',
    type: DTypeError,
    setup: (c) => {
      const a = c.randn([2]),
        b = c.i([1, 2]);
      return { call: () => a.assign(b), message: 'assign: cannot assign int32 to float32' };
    },
  },
  {
    name: 'gradCheck of float32 inputs',
    type: DTypeError,
    setup: (c) => {
      const a = c.randn([3]);
      return {
        call: () => gradCheck((t) => sum(t), [a]),
        message: 'gradCheck: input [3] is float32; finite differences need float64 inputs',
      };
    },
  },

  {
    name: 'switching off the gradient of a computed tensor',
    type: DTypeError,
    setup: (c) => {
      const y = mul(c.randn([2], true), 2);
      return {
        call: () => (y.requiresGrad = false),
        message: 'requiresGrad: cannot switch off the gradient of a computed tensor; use detach()',
      };
    },
  },
  {
    name: 'mean of int32',
    type: DTypeError,
    setup: (c) => {
      const a = c.i([1, 2]);
      return { call: () => mean(a), message: "mean: input 'x' is int32; mean needs float32 or float64" };
    },
  },

  // BackendError
  {
    name: 'add of tensors on two backends',
    type: BackendError,
    setup: (c) => ({
      call: (
        (a, b) => () =>
          add(a, b)
      )(c.randn([2]), randn([2], { seed: 1, backend: c.other })),
      message: `add: a is on the ${c.backend.name} backend, b on ${c.other.name === c.backend.name ? `another ${c.backend.name} backend instance` : `the ${c.other.name} backend`}; move one with await t.to(backend)`,
    }),
  },
  {
    name: 'matmul of tensors on two backends',
    type: BackendError,
    setup: (c) => ({
      call: (
        (a, b) => () =>
          matmul(a, b)
      )(c.randn([2, 2]), randn([2, 2], { seed: 1, backend: c.other })),
      message: `matmul: a is on the ${c.backend.name} backend, b on ${c.other.name === c.backend.name ? `another ${c.backend.name} backend instance` : `the ${c.other.name} backend`}; move one with await t.to(backend)`,
    }),
  },
  {
    name: 'assign from another backend',
    type: BackendError,
    setup: (c) => {
      const p = c.randn([2]);
      const q = randn([2], { seed: 1, backend: c.other });
      return {
        call: () => p.assign(q),
        message: `assign: value is on ${c.other.name}, tensor #${p.id} is on ${c.backend.name}`,
      };
    },
  },
  {
    name: 'setBackend of something else',
    type: BackendError,
    setup: () => ({
      call: () => setBackend({} as never),
      message: 'setBackend: expected a Backend (for example cpuBackend() or createWebGPUBackend())',
    }),
  },
  {
    name: 'dataSync on WebGPU',
    type: BackendError,
    only: 'webgpu',
    setup: (c) => {
      const a = c.randn([2]);
      return {
        call: () => a.dataSync(),
        message: 'dataSync: the webgpu backend reads asynchronously; use await data()',
      };
    },
  },
  {
    name: 'a float64 tensor on WebGPU',
    type: BackendError,
    only: 'webgpu',
    setup: (c) => ({
      call: () => tensor([1, 2], { dtype: 'float64', backend: c.backend }),
      message: 'tensor: the webgpu backend cannot hold float64 tensors (it holds float32, int32)',
    }),
  },
  {
    name: 'a float64 tensor moved to WebGPU',
    type: BackendError,
    only: 'webgpu',
    setup: (c) => {
      const x = tensor([1, 2], { dtype: 'float64', backend: c.other });
      return { call: () => x.to(c.backend), message: 'to: the webgpu backend cannot hold float64 tensors' };
    },
  },
  {
    name: 'a seed gradient on another backend',
    type: BackendError,
    setup: (c) => {
      const y = mul(c.randn([2], true), 2);
      const seed = tensor([1, 1], { backend: c.other });
      return {
        call: () => y.backward(seed),
        message: `backward: seed gradient is on ${c.other.name === c.backend.name ? `another ${c.backend.name} backend instance` : `the ${c.other.name} backend`}, tensor on the ${c.backend.name} backend; move one with await t.to(backend)`,
      };
    },
  },

  {
    name: 'float64 zeros on WebGPU',
    type: BackendError,
    only: 'webgpu',
    setup: (c) => ({
      call: () => zeros([2], { dtype: 'float64', backend: c.backend }),
      message: 'zeros: the webgpu backend cannot hold float64 tensors (it holds float32, int32)',
    }),
  },

  // DisposedTensorError
  {
    name: 'a disposed tensor used',
    type: DisposedTensorError,
    setup: (c) => {
      const x = c.randn([2, 3]);
      x.dispose();
      return { call: () => exp(x), message: `tensor #${x.id} [2,3] float32 was used after dispose()` };
    },
  },
  {
    name: 'a tensor used after its tidy scope ended',
    type: DisposedTensorError,
    setup: (c) => {
      let x = c.randn([2]);
      tidy(() => void (x = exp(x)));
      return { call: () => add(x, 1), message: `tensor #${x.id} [2] float32 was used after dispose()` };
    },
  },
  {
    name: 'assign to a disposed tensor',
    type: DisposedTensorError,
    setup: (c) => {
      const p = c.randn([2]);
      const q = c.randn([2]);
      p.dispose();
      return { call: () => p.assign(q), message: `tensor #${p.id} [2] float32 was used after dispose()` };
    },
  },
  {
    name: 'assign of a disposed value',
    type: DisposedTensorError,
    setup: (c) => {
      const p = c.randn([2]);
      const q = c.randn([2]);
      q.dispose();
      return { call: () => p.assign(q), message: `tensor #${q.id} [2] float32 was used after dispose()` };
    },
  },
  {
    name: 'data() of a disposed tensor',
    type: DisposedTensorError,
    setup: (c) => {
      const x = c.randn([2]);
      x.dispose();
      return { call: () => x.data(), message: `tensor #${x.id} [2] float32 was used after dispose()` };
    },
  },

  {
    name: 'detach() of a disposed tensor',
    type: DisposedTensorError,
    setup: (c) => {
      const x = c.randn([2]);
      x.dispose();
      return { call: () => x.detach(), message: `tensor #${x.id} [2] float32 was used after dispose()` };
    },
  },
  {
    name: 'to() of a disposed tensor',
    type: DisposedTensorError,
    setup: (c) => {
      const x = c.randn([2]);
      x.dispose();
      return { call: () => x.to(c.other), message: `tensor #${x.id} [2] float32 was used after dispose()` };
    },
  },
  {
    name: 'backward() with a disposed seed',
    type: DisposedTensorError,
    setup: (c) => {
      const y = mul(c.randn([2], true), 2);
      const seed = c.randn([2]);
      seed.dispose();
      return { call: () => y.backward(seed), message: `tensor #${seed.id} [2] float32 was used after dispose()` };
    },
  },
  {
    name: 'backward() through a disposed input',
    type: DisposedTensorError,
    afterKernels: true, // the walk reaches the input after the rules above it ran
    setup: (c) => {
      const x = c.randn([2], true);
      const y = mul(x, x);
      x.dispose();
      return {
        call: () => tidy(() => sum(y).backward()),
        message: `tensor #${x.id} [2] float32 was used after dispose()`,
      };
    },
  },

  // GraphFreedError
  {
    name: 'a second backward()',
    type: GraphFreedError,
    setup: (c) => {
      const y = sum(mul(c.randn([2], true), 2));
      y.backward();
      return {
        call: () => y.backward(),
        message: `backward: the graph through Sum (node #${y.origin!.node.id}) was already freed by an earlier backward(); pass { retainGraph: true } to the first backward() to run through it again`,
      };
    },
  },
  {
    name: 'backward() through a part another backward() freed',
    type: GraphFreedError,
    setup: (c) => {
      const y = mul(c.randn([2], true), 2);
      sum(y).backward();
      const z = sum(exp(y));
      return {
        call: () => z.backward(),
        message: `backward: the graph through Mul (node #${y.origin!.node.id}) was already freed by an earlier backward(); pass { retainGraph: true } to the first backward() to run through it again`,
      };
    },
  },

  // ModifiedInPlaceError
  {
    name: 'backward() after a saved factor was assigned',
    type: ModifiedInPlaceError,
    afterKernels: true, // the walk reaches Mul after the rules above it ran
    setup: (c) => {
      const w = c.randn([2], true);
      const loss = sum(mul(w, c.randn([2], true)));
      w.assign(c.f([0, 0]));
      return {
        call: () => loss.backward(),
        message: `backward: tensor #${w.id} [2] float32 was changed in place (it is at version 1; Mul (node #${loss.origin!.node.inputs![0].origin!.node.id}) saved it at version 0 for its gradient, which would use the new values); compute the forward again after changing it, or change a copy; run the forward under detectAnomaly to see where the node was created`,
      };
    },
  },

  // SeedGradientError
  {
    name: 'backward() of a non-scalar without a seed',
    type: SeedGradientError,
    setup: (c) => {
      const a = c.randn([3], true),
        y = mul(a, 2);
      return {
        call: () => y.backward(),
        message: 'backward: tensor [3] is not a scalar; pass a seed gradient of shape [3]',
      };
    },
  },
  {
    name: 'a seed of the wrong shape',
    type: SeedGradientError,
    setup: (c) => {
      const a = c.randn([3], true),
        b = c.randn([2]),
        y = mul(a, 2);
      return { call: () => y.backward(b), message: 'backward: seed gradient [2] does not match tensor [3]' };
    },
  },
  {
    name: 'a seed of the wrong dtype',
    type: SeedGradientError,
    setup: (c) => {
      const a = c.randn([2], true),
        b = c.i([1, 1]),
        y = mul(a, 2);
      return { call: () => y.backward(b), message: 'backward: seed gradient is int32, tensor is float32' };
    },
  },
  {
    name: 'backward() of a tensor that needs no gradient',
    type: SeedGradientError,
    setup: (c) => {
      const y = sum(c.randn([3]));
      return {
        call: () => y.backward(),
        message:
          'backward: tensor [] does not require a gradient (no input had requiresGrad, or it was computed under noGrad)',
      };
    },
  },

  // NonFiniteSeedError: checked at backward() where reads are synchronous, in anomaly mode elsewhere
  {
    name: 'a seed holding NaN',
    type: NonFiniteSeedError,
    only: 'cpu',
    setup: (c) => {
      const a = c.randn([2], true),
        b = c.f([Number.NaN, 1]),
        y = mul(a, 2);
      return { call: () => y.backward(b), message: 'backward: the seed gradient holds NaN or ±Inf' };
    },
  },
  {
    name: 'a seed holding Inf',
    type: NonFiniteSeedError,
    only: 'cpu',
    setup: (c) => {
      const a = c.randn([2], true),
        b = c.f([1, Number.POSITIVE_INFINITY]),
        y = mul(a, 2);
      return { call: () => y.backward(b), message: 'backward: the seed gradient holds NaN or ±Inf' };
    },
  },
  {
    name: 'a seed holding NaN, in anomaly mode',
    type: NonFiniteSeedError,
    setup: (c) => {
      const x = c.randn([2], true);
      const y = mul(x, 2);
      const seed = c.f([Number.NaN, 1]);
      // On WebGPU the pass runs before the check: the gradient it left is disposed here.
      return {
        call: () => detectAnomaly(async () => void y.backward(seed)).finally(() => x.grad?.dispose()),
        message: 'backward: the seed gradient holds NaN or ±Inf',
      };
    },
    afterKernels: true,
  },

  // AxisError
  {
    name: 'sum along axis 2 of a matrix',
    type: AxisError,
    setup: (c) => {
      const a = c.randn([2, 3]);
      return { call: () => sum(a, 2), message: 'sum: axis 2 is out of range for a tensor of rank 2' };
    },
  },
  {
    name: 'sum along axis -3 of a matrix',
    type: AxisError,
    setup: (c) => {
      const a = c.randn([2, 3]);
      return { call: () => sum(a, -3), message: 'sum: axis -3 is out of range for a tensor of rank 2' };
    },
  },
  {
    name: 'sum along a repeated axis',
    type: AxisError,
    setup: (c) => {
      const a = c.randn([2, 3]);
      return { call: () => sum(a, [1, -1]), message: 'sum: axes [1,-1] repeat an axis' };
    },
  },
  {
    name: 'mean along axis 5',
    type: AxisError,
    setup: (c) => {
      const a = c.randn([2, 3]);
      return { call: () => mean(a, [0, 5]), message: 'mean: axis 5 is out of range for a tensor of rank 2' };
    },
  },
  {
    name: 'softmax along axis 2',
    type: AxisError,
    setup: (c) => {
      const a = c.randn([2, 3]);
      return { call: () => softmax(a, 2), message: 'softmax: axis 2 is out of range for a tensor of rank 2' };
    },
  },
  {
    name: 'repeat along axis 3',
    type: AxisError,
    setup: (c) => {
      const a = c.randn([2, 3]);
      return { call: () => repeat(a, 3, 2), message: 'repeat: axis 3 is out of range for a tensor of rank 2' };
    },
  },
  {
    name: 'argmax along axis 1 of a vector',
    type: AxisError,
    setup: (c) => {
      const a = c.randn([4]);
      return { call: () => argmax(a, 1), message: 'argmax: axis 1 is out of range for a tensor of rank 1' };
    },
  },

  // GradientRuleError
  {
    name: 'a rule returning a gradient of the wrong shape',
    type: GradientRuleError,
    afterKernels: true,
    setup: (c) => {
      const y = sum(Foo.apply([c.randn([4, 3], true)]));
      return {
        call: () => y.backward(),
        message: "Foo.backward: gradient of input 'x' is [3], which does not reduce to the input's [4,3]",
      };
    },
  },
  {
    name: 'a rule returning a gradient of the wrong dtype',
    type: GradientRuleError,
    afterKernels: true,
    setup: (c) => {
      const y = sum(IntGradient.apply([c.randn([2], true)]));
      return {
        call: () => y.backward(),
        message: "IntGradient.backward: gradient of input 'x' is int32, the input is float32",
      };
    },
  },

  // ArgumentError
  {
    name: 'repeat -1 times',
    type: ArgumentError,
    setup: (c) => {
      const a = c.randn([2]);
      return { call: () => repeat(a, 0, -1), message: 'repeat: times must be an integer in [0, 2147483647], got -1' };
    },
  },
  {
    name: 'branch into 0',
    type: ArgumentError,
    setup: (c) => {
      const a = c.randn([2]);
      return { call: () => branch(a, 0), message: 'branch: n must be an integer in [1, 65536], got 0' };
    },
  },
  {
    name: 'reshape with two -1',
    type: ArgumentError,
    setup: (c) => {
      const a = c.randn([4]);
      return {
        call: () => reshape(a, [-1, -1]),
        message: 'reshape: [-1,-1] is not a shape (non-negative integers and at most one -1)',
      };
    },
  },
  {
    name: 'transpose by a non-permutation',
    type: ArgumentError,
    setup: (c) => {
      const a = c.randn([2, 3]);
      return { call: () => transpose(a, [0, 0]), message: 'transpose: [0,0] is not a permutation of the 2 axes' };
    },
  },
  {
    name: 'oneHot of depth 0',
    type: ArgumentError,
    setup: (c) => {
      const a = c.i([0]);
      return { call: () => oneHot(a, 0), message: 'oneHot: depth must be an integer in [1, 2147483647], got 0' };
    },
  },
  {
    name: 'randn of a negative shape',
    type: ArgumentError,
    setup: (c) => ({
      call: () => randn([2, -1], { backend: c.backend }),
      message: 'randn: a shape is a list of non-negative integers, got [2,-1]',
    }),
  },
  {
    name: 'a tensor of an unknown dtype',
    type: ArgumentError,
    setup: (c) => ({
      call: () => tensor([1], { dtype: 'float16' as never, backend: c.backend }),
      message: 'tensor: unknown dtype "float16" (use float32, float64 or int32)',
    }),
  },
  {
    name: 'an optimizer with a negative learning rate',
    type: ArgumentError,
    setup: (c) => {
      const a = c.randn([2], true);
      return { call: () => new SGD([a], { lr: -1 }), message: 'SGD: lr must be a finite number ≥ 0, got -1' };
    },
  },
  {
    name: 'an optimizer of a computed tensor',
    type: ArgumentError,
    setup: (c) => {
      const y = mul(c.randn([2], true), 2);
      return {
        call: () => new Adam([y]),
        message: `Adam: parameter ${y.toString()} must be a leaf tensor with requiresGrad`,
      };
    },
  },
  {
    name: 'oneHot of a class index out of range',
    type: ArgumentError,
    setup: (c) => {
      const a = c.i([0, 3]);
      return { call: () => oneHot(a, 3), message: 'oneHot: class index 3 is outside [0, 3)' };
    },
  },
  {
    name: 'softmaxWithLoss of a class index out of range',
    type: ArgumentError,
    setup: (c) => {
      const a = c.randn([2, 3]),
        b = c.i([0, -1]);
      return {
        call: () => softmaxWithLoss(a, b),
        message: 'softmaxWithLoss: class index -1 is outside [0, 3) for logits [2,3]',
      };
    },
  },

  {
    name: 'oneHot of a fractional depth',
    type: ArgumentError,
    setup: (c) => {
      const a = c.i([0]);
      return { call: () => oneHot(a, 2.5), message: 'oneHot: depth must be an integer in [1, 2147483647], got 2.5' };
    },
  },
  {
    name: 'cast to a dtype WebGPU cannot hold',
    type: BackendError,
    only: 'webgpu',
    setup: (c) => {
      const a = c.randn([2]);
      return { call: () => cast(a, 'float64'), message: 'cast: the webgpu backend cannot hold float64' };
    },
  },
  {
    name: 'clipGrads to a norm of 0',
    type: ArgumentError,
    setup: (c) => {
      const p = c.randn([2], true);
      return { call: () => clipGrads([p], 0), message: 'clipGrads: maxNorm must be a finite number > 0, got 0' };
    },
  },

  // AnomalyError
  {
    name: 'log(0) in anomaly mode',
    type: AnomalyError,
    afterKernels: true,
    setup: (c) => {
      const x = c.f([1, 0], true);
      return {
        call: () => detectAnomaly(async () => void tidy(() => void log(x))),
        message:
          /^detectAnomaly: the forward of Log \(node #\d+\) produced -Inf at position 1 of output 0 \[2\] float32 \(inputs 'x' \[2\]\); the node was created\n {4}at .*errors-both-backends\.test\.ts:\d+:\d+/,
      };
    },
  },
  {
    name: 'the gradient of sqrt at 0 in anomaly mode',
    type: AnomalyError,
    afterKernels: true,
    setup: (c) => {
      const x = c.f([0, 4], true);
      return {
        call: () => detectAnomaly(async () => tidy(() => sum(sqrt(x)).backward())).finally(() => x.grad?.dispose()),
        message:
          /^detectAnomaly: the backward of Sqrt \(node #\d+\) produced Inf at position 0 of the gradient of input 'x' \[2\] float32 \(inputs 'x' \[2\]\); the node was created\n {4}at .*errors-both-backends\.test\.ts:\d+:\d+/,
      };
    },
  },

  // GradCheckError, SafetensorsError
  {
    name: 'a gradient rule that gradCheck finds wrong',
    type: GradCheckError,
    only: 'cpu', // finite differences need float64
    afterKernels: true,
    setup: (c) => ({
      call: (
        (x) => () =>
          assertGradCheck((t) => sum(WrongRule.apply([t])), [x])
      )(randn([3], { dtype: 'float64', seed: 2, backend: c.backend })),
      message:
        /^gradCheck FAILED \(eps [^)]+\)\n {2}input 0 \[3\]: max abs error .* FAILED at element \d+: analytic .*, numeric .*$/,
    }),
  },
  {
    name: 'a safetensors file with a hole in its data',
    type: SafetensorsError,
    setup: (c) => ({
      call: () => decodeSafetensors(holeyFile(), { backend: c.backend }),
      message:
        "safetensors: tensor 'x' starts at byte 4 of the data, expected 0 (the tensors must tile the data without holes or overlaps)",
    }),
  },
];

/** Counts the kernels called on `backend` from now on (the kernel table is read at every call). */
function countKernels(backend: Backend): { readonly count: number } {
  const counter = { count: 0 };
  const kernels = backend.kernels;
  const counting = new Proxy(kernels, {
    get(target, name) {
      const kernel = Reflect.get(target, name) as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        counter.count++;
        return kernel(...args);
      };
    },
  });
  Object.defineProperty(backend, 'kernels', { value: counting, configurable: true });
  return counter;
}

/** What the call threw or rejected with. */
async function caught(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}

interface Row {
  readonly label: 'cpu' | 'webgpu';
  readonly backend: Backend | null;
  readonly other: Backend;
  readonly skip: string | null;
}

// Each backend of the list, with a second CPU backend its tensors are not on.
const ROWS: readonly Row[] = backends.map((b) => ({
  label: b.name as Row['label'],
  backend: b.backend,
  other: cpuBackend(),
  skip: b.reason,
}));

function contextOf(row: Row): Ctx {
  const backend = row.backend!;
  let seed = 0;
  return {
    backend,
    other: row.other,
    f: (values, requiresGrad = false) => tensor(values, { backend, requiresGrad }),
    i: (values) => tensor(values, { backend, dtype: 'int32' }),
    randn: (shape, requiresGrad = false) => randn(shape, { backend, requiresGrad, seed: ++seed }),
  };
}

describe.each(ROWS)('every promised error on $label', (row) => {
  const cases = CASES.filter((c) => c.only === undefined || c.only === row.label);
  const test = row.skip === null ? it : it.skip;
  const counter = row.backend === null ? null : countKernels(row.backend);

  test.each(cases)('$type.name: $name', async (c) => {
    const ctx = contextOf(row);
    const { call, message } = c.setup(ctx);
    const kernelsBefore = counter!.count;
    const dispatchesBefore = row.label === 'webgpu' ? (row.backend as WebGPUBackend).counters.dispatches : 0;
    const liveBefore = ctx.backend.liveBuffers();
    const error = await caught(call);
    expect(error).toBeInstanceOf(c.type);
    expect(error).toBeInstanceOf(GraphgradError);
    expect((error as Error).name).toBe(c.type.name);
    if (typeof message === 'string') expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
    if (c.afterKernels === undefined) {
      // Rejected at the call that received the input: no kernel ran, nothing was allocated.
      expect(counter!.count).toBe(kernelsBefore);
      if (row.label === 'webgpu') expect((row.backend as WebGPUBackend).counters.dispatches).toBe(dispatchesBefore);
    }
    expect(ctx.backend.liveBuffers()).toBe(liveBefore);
  });
});

describe('the count of error cases', () => {
  it('every error class is provoked on both backends, apart from the documented exceptions', () => {
    const onBoth = new Set(CASES.filter((c) => c.only === undefined).map((c) => c.type.name));
    const onCpuOnly = new Set(CASES.map((c) => c.type.name).filter((name) => !onBoth.has(name)));
    // finite differences need float64, which WebGPU cannot hold
    expect([...onCpuOnly]).toEqual(['GradCheckError']);
    expect(onBoth.size).toBe(13);
  });
});

// An optimizer step checks everything before it updates anything.
interface BadStep {
  readonly name: string;
  readonly type: ErrorClass;
  /** Spoils the third of three parameters (or the optimizer) after a good first step. */
  readonly spoil: (params: Tensor[], optimizer: Optimizer, ctx: Ctx) => void;
  readonly message: (params: Tensor[]) => string;
  readonly only?: 'cpu' | 'webgpu';
}

const describeParam = (p: Tensor): string => `parameter #${p.id} [3] float32`;

const BAD_STEPS: readonly BadStep[] = [
  {
    name: 'a gradient of another shape',
    type: ShapeError,
    spoil: ([, , p], _o, c) => void (p.grad = c.randn([2, 3])),
    message: ([, , p]) => `OPT.step: the gradient of ${describeParam(p)} is [2,3], expected [3]`,
  },
  {
    name: 'a gradient shaped like a broadcast',
    type: ShapeError,
    spoil: ([, , p], _o, c) => void (p.grad = c.randn([1])),
    message: ([, , p]) => `OPT.step: the gradient of ${describeParam(p)} is [1], expected [3]`,
  },
  {
    name: 'a gradient of another dtype',
    type: DTypeError,
    spoil: ([, , p], _o, c) => void (p.grad = c.i([1, 2, 3])),
    message: ([, , p]) => `OPT.step: the gradient of ${describeParam(p)} is int32, expected float32`,
  },
  {
    name: 'a gradient on another backend',
    type: BackendError,
    spoil: ([, , p], _o, c) => void (p.grad = randn([3], { backend: c.other })),
    message: ([, , p]) =>
      `OPT.step: the gradient of ${describeParam(p)} is on the cpu backend, the parameter on ${p.backend.name}; move it with await t.to(backend)`,
  },
  {
    name: 'a disposed parameter',
    type: DisposedTensorError,
    spoil: ([, , p]) => p.dispose(),
    message: ([, , p]) => `OPT.step: ${describeParam(p)} was disposed`,
  },
  {
    name: 'a disposed gradient',
    type: DisposedTensorError,
    spoil: ([, , p]) => p.grad!.dispose(),
    message: ([, , p]) => `OPT.step: the gradient of ${describeParam(p)} was disposed`,
  },
  {
    name: 'a learning rate of NaN',
    type: ArgumentError,
    spoil: (_p, o) => void ((o as SGD | Adam).lr = Number.NaN),
    message: () => 'OPT: lr must be a finite number ≥ 0, got NaN',
  },
  {
    name: 'a learning rate of Infinity',
    type: ArgumentError,
    spoil: (_p, o) => void ((o as SGD | Adam).lr = Number.POSITIVE_INFINITY),
    message: () => 'OPT: lr must be a finite number ≥ 0, got Infinity',
  },
];

const OPTIMIZERS = [
  { name: 'SGD', make: (ps: Tensor[]): Optimizer => new SGD(ps, { lr: 0.1 }) },
  { name: 'Adam', make: (ps: Tensor[]): Optimizer => new Adam(ps, { lr: 0.1 }) },
];

describe.each(ROWS)('an optimizer step that throws changes nothing, on $label', (row) => {
  const test = row.skip === null ? it : it.skip;
  const cases = OPTIMIZERS.flatMap((o) =>
    BAD_STEPS.map((b) => ({ ...b, optimizer: o, label: `${o.name}: ${b.name}` })),
  );

  test.each(cases)('$label', async ({ optimizer: spec, spoil, type, message }) => {
    const ctx = contextOf(row);
    const params = [ctx.randn([3], true), ctx.randn([3], true), ctx.randn([3], true)];
    const optimizer = spec.make(params);
    const grads = (): void => {
      for (const p of params) p.grad = ctx.randn([3]);
    };
    grads();
    optimizer.step(); // a good step first: the state (Adam's moments) exists
    grads();
    spoil(params, optimizer, ctx);
    const values = await Promise.all(params.filter((p) => !p.isDisposed).map((p) => p.data()));
    const state = await Promise.all(
      [...optimizer.state.values()].flatMap((s) => Object.values(s)).map((t) => t.data()),
    );
    const steps = optimizer.stepCount;
    const live = ctx.backend.liveBuffers();

    const error = await caught(() => optimizer.step());
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toBe(message(params).replaceAll('OPT', spec.name));
    expect(await Promise.all(params.filter((p) => !p.isDisposed).map((p) => p.data()))).toEqual(values);
    expect(
      await Promise.all([...optimizer.state.values()].flatMap((s) => Object.values(s)).map((t) => t.data())),
    ).toEqual(state);
    expect(optimizer.stepCount).toBe(steps);
    expect(ctx.backend.liveBuffers()).toBe(live);
  });

  test('Adam: betas changed out of range are refused before the step', async () => {
    const ctx = contextOf(row);
    const p = ctx.randn([3], true);
    const adam = new Adam([p]);
    p.grad = ctx.randn([3]);
    const before = await p.data();
    adam.beta1 = 1;
    expect(() => adam.step()).toThrow(new ArgumentError('Adam: beta1 must be in [0, 1), got 1'));
    expect(await p.data()).toEqual(before);
    adam.beta1 = 0.9;
    adam.step();
    expect(await p.data()).not.toEqual(before);
  });
});

describe('docs/errors.md', () => {
  const page = readFileSync(join(import.meta.dirname, '../../../docs/errors.md'), 'utf8');
  const rows = [...page.matchAll(/^\| `(\w+)` +\| [^|]+ \| `([^`]+)` +\|$/gm)].map(([, name, example]) => ({
    name,
    example,
  }));

  /** Provokes, on the CPU, the mistake each row's example describes. */
  const provoke: Record<string, () => unknown> = {
    ShapeError: () => matmul(randn([2, 3]), randn([2, 3])),
    DTypeError: () => add(randn([2]), randn([2], { dtype: 'float64' })),
    BackendError: () => add(randn([2]), randn([2], { backend: cpuBackend() })),
    DisposedTensorError: () => {
      const x = randn([2, 3]);
      x.dispose();
      return exp(x);
    },
    GraphFreedError: () => {
      const y = mul(randn([2], { requiresGrad: true }), 2);
      sum(y).backward();
      return sum(exp(y)).backward();
    },
    SeedGradientError: () => mul(randn([3], { requiresGrad: true }), 2).backward(),
    NonFiniteSeedError: () => mul(randn([2], { requiresGrad: true }), 2).backward(tensor([Number.NaN, 1])),
    AxisError: () => sum(randn([2, 3]), 2),
    GradientRuleError: () => sum(Foo.apply([randn([2, 3], { requiresGrad: true })])).backward(),
    ArgumentError: () => repeat(randn([2]), 0, -1),
    AnomalyError: () => detectAnomaly(() => log(tensor([1, 0], { requiresGrad: true }))),
    GradCheckError: () => assertGradCheck((t) => sum(WrongRule.apply([t])), [randn([3], { dtype: 'float64' })]),
    SafetensorsError: () => decodeSafetensors(holeyFile()),
    StateDictError: () => new nodes.Linear(3, 2).loadStateDict({ W: randn([2, 3]) }),
    ModifiedInPlaceError: () => {
      const w = randn([2], { requiresGrad: true });
      const loss = sum(mul(w, randn([2], { requiresGrad: true })));
      w.assign(tensor([0, 0]));
      return loss.backward();
    },
  };

  it('lists every error class with an example message', () => {
    expect(rows.map((r) => r.name).sort()).toEqual(Object.keys(provoke).sort());
  });

  it.each(rows)('$name: the example is what the code throws', async ({ name, example }) => {
    const error = await caught(provoke[name]);
    expect((error as Error).name).toBe(name);
    // "…" stands for the rest of a long message, "#12" for any tensor or node id.
    const pattern = example
      .split('…')
      .map((part) =>
        part
          .trim()
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/#\d+/g, '#\\d+'),
      )
      .join('[\\s\\S]*');
    expect((error as Error).message).toMatch(new RegExp(`^${pattern}${example.trimEnd().endsWith('…') ? '' : '$'}`));
  });
});
