import { cellFunctions } from './cells-body.ts';
import { gemmFunctions } from './gemm-body.ts';
import { reduceFunctions, SIMD_REDUCE, type SimdReduceName } from './reduce-body.ts';
import { softmaxFunctions } from './softmax-body.ts';
import { expLocals, pushExpNonPositive } from './exp-simd.ts';
import { encodeModule, FunctionBody, I32, V128 } from './wasm-encoder.ts';

// NOTE: the sigmoid built on the exponential (exp-simd.ts) measured at most 2 ulp (relative error
// 1.9e-7) from the float64 formula rounded to float32, over 4e6 points of [-100, 100]
// (sigmoid-accuracy.test.ts allows 4); results under 2^-126 (x < -87.34) are flushed to 0, an
// absolute error below 1.2e-38.

/** Vectors per iteration of the sigmoid loop (independent chains, measured ~1.3× over one). */
export const SIGMOID_UNROLL = 4;

/**
 * `sigmoid(src, dst, blocks)`: dst = sigmoid(src) over `blocks` × SIGMOID_UNROLL f32x4 vectors at
 * byte offsets `src` and `dst` (dst may be src). With e = e^-|x|, sigmoid(x) = 1/(1+e) for x ≥ 0
 * and e/(1+e) otherwise, so nothing overflows. Constants are v128.const at each use: splatting
 * them into locals before the loop measured no faster (V8 then spills them).
 */
function sigmoidBody(): FunctionBody {
  const f = new FunctionBody([I32, I32, I32]);
  const [ptr, dst, blocks] = [0, 1, 2];
  const k = (v: number): FunctionBody => f.v128ConstF32(v);
  const lanes = Array.from({ length: SIGMOID_UNROLL }, () => ({
    x: f.local(V128),
    z: f.local(V128),
    ex: expLocals(f),
    e: f.local(V128),
    s: f.local(V128),
  }));
  f.block(() =>
    f.loop(() => {
      f.get(blocks).i32Eqz().brIf(1);
      lanes.forEach(({ x, z, ex, e, s }, u) => {
        f.get(ptr)
          .v128Load(16 * u)
          .set(x);
        // z = -|x| (the sign bit set), e = e^z
        f.get(x);
        k(-0).v128Or().set(z);
        pushExpNonPositive(f, z, ex);
        f.set(e);
        k(1);
        k(1).get(e).f32x4Add().f32x4Div().set(s);
        f.get(dst);
        f.get(s).get(e).get(s).f32x4Mul().get(x);
        k(0).f32x4Ge().v128Bitselect();
        f.v128Store(16 * u);
      });
      f.get(ptr)
        .i32(16 * SIGMOID_UNROLL)
        .i32Add()
        .set(ptr);
      f.get(dst)
        .i32(16 * SIGMOID_UNROLL)
        .i32Add()
        .set(dst);
      f.get(blocks).i32(1).i32Sub().set(blocks);
      f.br(0);
    }),
  );
  return f;
}

/** The elementwise binary operations with a SIMD kernel. */
export const SIMD_BINARY = ['Add', 'Sub', 'Mul', 'Div', 'Maximum', 'Greater'] as const;
/** The name of an elementwise binary operation with a SIMD kernel. */
export type SimdBinaryName = (typeof SIMD_BINARY)[number];

/** f32x4 vectors per iteration of the binary kernels' loop (callers pad their spans to a multiple). */
export const BINARY_UNROLL = 4;

/** Replaces the two vectors a, b on the stack by a op b. */
function pushBinaryOp(f: FunctionBody, op: SimdBinaryName): void {
  switch (op) {
    case 'Add':
      f.f32x4Add();
      break;
    case 'Sub':
      f.f32x4Sub();
      break;
    case 'Mul':
      f.f32x4Mul();
      break;
    case 'Div':
      f.f32x4Div();
      break;
    case 'Maximum':
      // NOTE: wasm's f32x4.max propagates NaN, like Math.max and numpy's maximum.
      f.f32x4Max();
      break;
    case 'Greater':
      // an all-ones lane mask where a > b, and-ed with the bits of 1.0
      f.f32x4Gt().f32x4Const(1).v128And();
      break;
  }
}

/** How `opRows` reads its operands along a row: both rows of floats, or one of them a single float. */
export const ROWS_BOTH = 0;
/** b is one float per row (a column, or a scalar with row stride 0). */
export const ROWS_B_SCALAR = 1;
/** a is one float per row. */
export const ROWS_A_SCALAR = 2;

/**
 * `opRows(out, a, b, rows, cols, aRowStride, bRowStride, mode)`: out (rows × cols, contiguous) =
 * a op b row by row, where row r of a starts at a + r·aRowStride and of b at b + r·bRowStride
 * (bytes; 0 repeats one row), each either a row of `cols` floats or, by `mode`, one float repeated
 * along the row: a bias row added to every row of a matrix, a matrix times a column, a scalar.
 * Four floats at a time, the tail (cols mod 4) one by one through the same vector operation.
 */
function binaryRowsBody(op: SimdBinaryName): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32, I32]);
  const [out, a, b, rows, cols, aRowStride, bRowStride, mode] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [r, i, vecEnd, aStep, bStep] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const [av, bv] = [f.local(V128), f.local(V128)];
  const loop = (i_: number, end: number, step: number, body: () => void): void => {
    f.block(() =>
      f.loop(() => {
        f.get(i_).get(end).i32GeU().brIf(1);
        body();
        f.get(i_).i32(step).i32Add().set(i_);
        f.br(0);
      }),
    );
  };
  // an operand read one float per row advances 0 bytes along it, a row of floats 4 a float
  f.get(mode).i32(ROWS_A_SCALAR).i32Ne().i32(2).i32Shl().set(aStep);
  f.get(mode).i32(ROWS_B_SCALAR).i32Ne().i32(2).i32Shl().set(bStep);
  f.get(cols).i32(-4).i32And().set(vecEnd);
  f.i32(0).set(r);
  loop(r, rows, 1, () => {
    // a single float of a row is splat once per row
    f.get(a).f32Splat4Load().set(av);
    f.get(b).f32Splat4Load().set(bv);
    f.i32(0).set(i);
    // one vector loop per mode, so that no lane of work branches
    const vectors = (aRow: boolean, bRow: boolean): void =>
      loop(i, vecEnd, 4, () => {
        f.get(out).get(i).i32(4).i32Mul().i32Add();
        if (aRow) f.get(a).get(i).i32(4).i32Mul().i32Add().v128Load();
        else f.get(av);
        if (bRow) f.get(b).get(i).i32(4).i32Mul().i32Add().v128Load();
        else f.get(bv);
        pushBinaryOp(f, op);
        f.v128Store();
      });
    f.get(mode)
      .i32(ROWS_BOTH)
      .i32Eq()
      .ifElse(
        () => vectors(true, true),
        () =>
          f
            .get(mode)
            .i32(ROWS_B_SCALAR)
            .i32Eq()
            .ifElse(
              () => vectors(true, false),
              () => vectors(false, true),
            ),
      );
    loop(i, cols, 1, () => {
      f.get(out).get(i).i32(4).i32Mul().i32Add();
      f.get(a).get(i).get(aStep).i32Mul().i32Add().f32Splat4Load();
      f.get(b).get(i).get(bStep).i32Mul().i32Add().f32Splat4Load();
      pushBinaryOp(f, op);
      f.f32x4ExtractLane(0).f32Store();
    });
    f.get(out).get(cols).i32(4).i32Mul().i32Add().set(out);
    f.get(a).get(aRowStride).i32Add().set(a);
    f.get(b).get(bRowStride).i32Add().set(b);
  });
  return f;
}

/**
 * `op(out, a, b, blocks)`: out[i] = a[i] op b[i] over `blocks` × BINARY_UNROLL f32x4 vectors at
 * byte offsets `out`, `a` and `b` (out may be a). Unrolled, with the vectors addressed by
 * load/store offsets, so that the loop counter and the pointers move once per 16 floats.
 */
function binaryBody(op: SimdBinaryName): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32]);
  const [out, a, b, blocks] = [0, 1, 2, 3];
  f.block(() =>
    f.loop(() => {
      f.get(blocks).i32Eqz().brIf(1);
      for (let u = 0; u < BINARY_UNROLL; u++) {
        f.get(out)
          .get(a)
          .v128Load(16 * u)
          .get(b)
          .v128Load(16 * u);
        pushBinaryOp(f, op);
        f.v128Store(16 * u);
      }
      f.get(out)
        .i32(16 * BINARY_UNROLL)
        .i32Add()
        .set(out);
      f.get(a)
        .i32(16 * BINARY_UNROLL)
        .i32Add()
        .set(a);
      f.get(b)
        .i32(16 * BINARY_UNROLL)
        .i32Add()
        .set(b);
      f.get(blocks).i32(1).i32Sub().set(blocks);
      f.br(0);
    }),
  );
  return f;
}

/** `zero(dst, bytes)`: memory.fill with 0. */
function zeroBody(): FunctionBody {
  const f = new FunctionBody([I32, I32]);
  f.get(0).i32(0).get(1).memoryFill();
  return f;
}

/** The compiled kernels and their memory. */
export interface SimdKernels {
  readonly memory: WebAssembly.Memory;
  /** The matrix product (see gemm-body.ts): byte addresses and strides in `memory`. */
  readonly gemm: (
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    ldc: number,
    m: number,
    n: number,
    k: number,
    ap: number,
    bp: number,
    tile: number,
  ) => void;
  readonly sigmoid: (src: number, dst: number, blocks: number) => void;
  /** Softmax of `rows` contiguous rows of `cols` floats (softmax-body.ts). */
  readonly softmax: (src: number, dst: number, rows: number, cols: number) => void;
  /** Per-row statistics of a softmax cross entropy (softmax-body.ts). */
  readonly softmaxStats: (logits: number, target: number, stats: number, rows: number, cols: number) => void;
  /** Sum, Max and Min along the middle axis of [outer, len, inner] (reduce-body.ts). */
  readonly reduceRows: {
    readonly [K in SimdReduceName]: (out: number, x: number, outer: number, len: number, inner: number) => void;
  };
  /** The recurrent cells' gate arithmetic (cells-body.ts): inputs, then the output, N and H. */
  readonly cells: {
    readonly lstmCell: (gates: number, c: number, out: number, n: number, h: number) => void;
    readonly lstmCellBackward: (
      gates: number,
      c: number,
      dh: number,
      dc: number,
      out: number,
      n: number,
      h: number,
    ) => void;
    readonly gruCell: (xg: number, hg: number, h: number, out: number, n: number, size: number) => void;
    readonly gruCellBackward: (
      xg: number,
      hg: number,
      h: number,
      dy: number,
      out: number,
      n: number,
      size: number,
    ) => void;
  };
  /** Zeroes `bytes` bytes from `dst` (memory.fill, which copes with a shared memory much faster than `TypedArray.fill`). */
  readonly zero: (dst: number, bytes: number) => void;
  readonly binary: { readonly [K in SimdBinaryName]: (out: number, a: number, b: number, blocks: number) => void };
  /** The same row by row, with broadcast operands (see `binaryRowsBody`). */
  readonly binaryRows: {
    readonly [K in SimdBinaryName]: (
      out: number,
      a: number,
      b: number,
      rows: number,
      cols: number,
      aRowStride: number,
      bRowStride: number,
      mode: number,
    ) => void;
  };
}

let kernels: SimdKernels | null | undefined;
let disabled = false;

/**
 * Turns the SIMD kernels off (or back on), so that tests can run the JavaScript loops that a host
 * without WebAssembly SIMD uses. Not part of the public API.
 */
export function setSimdKernelsDisabled(value: boolean): void {
  disabled = value;
}

/**
 * A module using `f32x4.relaxed_madd` (the relaxed SIMD proposal: a fused multiply-add where the
 * hardware has one), which validates only where the runtime supports it (Node 20 behind
 * `--experimental-wasm-relaxed-simd`; browsers since 2023).
 */
function relaxedProbeBytes(): Uint8Array<ArrayBuffer> {
  const f = new FunctionBody([I32]);
  f.get(0).v128ConstF32(1).v128ConstF32(2).v128ConstF32(3).f32x4RelaxedMadd().v128Store();
  return encodeModule([{ name: 'probe', body: f }], { minPages: 1, shared: false });
}

let relaxed: boolean | undefined;

/** Whether the runtime validates relaxed SIMD, so that the matrix product can use fused multiply-adds. */
export function relaxedSimdSupported(): boolean {
  relaxed ??= typeof WebAssembly === 'object' && WebAssembly.validate(relaxedProbeBytes());
  return relaxed;
}

/** How a module's memory is declared: its own growable one, or a fixed shared one for threads. */
interface SimdModuleOptions {
  /** A shared memory of `pages` pages that never grows (what worker threads need), else growable. */
  readonly shared?: { readonly pages: number };
  /** Fused multiply-adds in the matrix product (only where {@link relaxedSimdSupported}). */
  readonly fma?: boolean;
}

/** The module's bytes (exported for the tests, which validate them). */
export function simdModuleBytes(options: SimdModuleOptions = {}): Uint8Array<ArrayBuffer> {
  const functions = [
    { name: 'sigmoid', body: sigmoidBody() },
    { name: 'zero', body: zeroBody() },
    ...softmaxFunctions(),
    ...reduceFunctions(),
    ...cellFunctions(),
    ...SIMD_BINARY.map((op) => ({ name: op, body: binaryBody(op) })),
    ...SIMD_BINARY.map((op) => ({ name: `${op}Rows`, body: binaryRowsBody(op) })),
  ];
  const memory =
    options.shared === undefined
      ? { minPages: 1, shared: false }
      : { minPages: options.shared.pages, maxPages: options.shared.pages, shared: true };
  return encodeModule([...functions, ...gemmFunctions(functions.length, options.fma ?? false)], memory);
}

/** Compiles the module, or null where WebAssembly SIMD is missing or compiling is forbidden. */
export function compileSimdModule(options: SimdModuleOptions = {}): WebAssembly.Module | null {
  if (typeof WebAssembly !== 'object') return null;
  const bytes = simdModuleBytes(options);
  if (!WebAssembly.validate(bytes)) return null;
  try {
    return new WebAssembly.Module(bytes);
  } catch {
    // a page whose content security policy forbids compiling WebAssembly keeps the JavaScript loops
    return null;
  }
}

/** The kernels of an instance of `module` over `memory`. */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): SimdKernels {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const e = instance.exports as unknown as Omit<SimdKernels, 'binary' | 'memory'> & SimdKernels['binary'];
  const exported = instance.exports as Record<string, unknown>;
  const binary = Object.fromEntries(SIMD_BINARY.map((op) => [op, e[op]])) as unknown as SimdKernels['binary'];
  const reduceRows = Object.fromEntries(
    SIMD_REDUCE.map((op) => [op, exported[`${op}Rows`]]),
  ) as unknown as SimdKernels['reduceRows'];
  const binaryRows = Object.fromEntries(
    SIMD_BINARY.map((op) => [op, exported[`${op}Rows`]]),
  ) as unknown as SimdKernels['binaryRows'];
  return {
    memory,
    gemm: e.gemm,
    sigmoid: e.sigmoid,
    softmax: e.softmax,
    softmaxStats: e.softmaxStats,
    zero: e.zero,
    binary,
    binaryRows,
    reduceRows,
    cells: exported as unknown as SimdKernels['cells'],
  };
}

/**
 * The SIMD kernels over a growable memory of their own (the scratch memory operands are copied
 * into when they do not live in the wasm heap), compiled on first use, or null where WebAssembly
 * SIMD is unavailable (the callers then keep their JavaScript loops).
 */
export function simdKernels(): SimdKernels | null {
  if (disabled) return null;
  if (kernels !== undefined) return kernels;
  if (compiled === undefined) compiled = compileSimdModule({ fma: relaxedSimdSupported() });
  kernels = compiled === null ? null : instantiateKernels(compiled, new WebAssembly.Memory({ initial: 1 }));
  return kernels;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * Scratch memory kept between calls. A wasm memory cannot shrink, so a call that grew it past this
 * gives it back (`releaseScratch`): the next call instantiates the kernels again over a new memory.
 */
export const SCRATCH_KEEP_BYTES = 16 * 1024 * 1024;

/** Called when a caller of `simdMemory` is done with it: drops a memory grown past `SCRATCH_KEEP_BYTES`. */
export function releaseScratch(k: SimdKernels): void {
  if (k !== kernels || k.memory.buffer.byteLength <= SCRATCH_KEEP_BYTES) return;
  kernels = undefined;
  memoryView = null;
}

/** Bytes of the SIMD kernels' scratch memory now (0 before their first use); for tests. */
export function scratchBytes(): number {
  return kernels == null ? 0 : kernels.memory.buffer.byteLength;
}

// The float32 view of the kernels' memory, made again only when growing replaced its buffer (a
// view per kernel call was a measurable part of the small products' cost).
let memoryView: Float32Array | null = null;

/** Grows the kernels' memory to at least `bytes` and returns a float32 view of all of it. */
export function simdMemory(k: SimdKernels, bytes: number): Float32Array {
  const have = k.memory.buffer.byteLength;
  if (have < bytes) k.memory.grow(Math.ceil((bytes - have) / 65536));
  if (memoryView === null || memoryView.buffer !== k.memory.buffer) memoryView = new Float32Array(k.memory.buffer);
  return memoryView;
}
