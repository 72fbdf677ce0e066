import { encodeModule, FunctionBody, I32, V128 } from './wasm-encoder.ts';

/** Rows of the matrix product's register block (and of a packed A panel). */
export const GEMM_MR = 4;
/** Columns of the register block (and of a packed B panel): two f32x4 vectors. */
export const GEMM_NR = 8;
/**
 * k steps per iteration of the micro-kernel's loop (packed panels are zero-padded to a multiple);
 * unrolling by 2 or 4 measured no faster, and neither did 5×8, 6×8, 4×12 or 3×16 register blocks.
 */
export const GEMM_KU = 1;

/**
 * `gemm(ap, bp, c, kc, mPanels, nPanels, ldc)`: for every panel pair, C[MR×NR] += Ap·Bp over kc,
 * where Ap holds `mPanels` packed MR×kc panels (each k: MR consecutive floats), Bp `nPanels` packed
 * kc×NR panels (each k: NR consecutive floats), and C is row-major with `ldc` bytes per row.
 * Addresses are byte offsets into the module's memory.
 */
function gemmBody(): FunctionBody {
  const U = GEMM_KU;
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32]);
  const [ap, bp, c, kc, mPanels, nPanels, ldc] = [0, 1, 2, 3, 4, 5, 6];
  const jp = f.local(I32);
  const ip = f.local(I32);
  const pa = f.local(I32);
  const pb = f.local(I32);
  const k = f.local(I32);
  const cp = f.local(I32);
  const row = f.local(I32);
  const bPanel = f.local(I32);
  const nv = GEMM_NR / 4;
  const acc = Array.from({ length: GEMM_MR * nv }, () => f.local(V128));
  const bv = Array.from({ length: nv }, () => f.local(V128));
  const av = f.local(V128);

  f.i32(0).set(jp);
  f.block(() =>
    f.loop(() => {
      f.get(jp).get(nPanels).i32GeU().brIf(1);
      // bPanel = bp + jp·kc·NR·4
      f.get(bp)
        .get(jp)
        .get(kc)
        .i32Mul()
        .i32(GEMM_NR * 4)
        .i32Mul()
        .i32Add()
        .set(bPanel);
      f.i32(0).set(ip);
      f.block(() =>
        f.loop(() => {
          f.get(ip).get(mPanels).i32GeU().brIf(1);
          f.get(ap)
            .get(ip)
            .get(kc)
            .i32Mul()
            .i32(GEMM_MR * 4)
            .i32Mul()
            .i32Add()
            .set(pa);
          f.get(bPanel).set(pb);
          // cp = c + ip·MR·ldc + jp·NR·4
          f.get(c).get(ip).get(ldc).i32Mul().i32(GEMM_MR).i32Mul().i32Add();
          f.get(jp)
            .i32(GEMM_NR * 4)
            .i32Mul()
            .i32Add()
            .set(cp);
          f.get(cp).set(row);
          for (let r = 0; r < GEMM_MR; r++) {
            for (let v = 0; v < nv; v++)
              f.get(row)
                .v128Load(v * 16)
                .set(acc[r * nv + v]);
            if (r < GEMM_MR - 1) f.get(row).get(ldc).i32Add().set(row);
          }
          f.get(kc).set(k);
          f.block(() =>
            f.loop(() => {
              f.get(k).i32Eqz().brIf(1);
              for (let u = 0; u < U; u++) {
                for (let v = 0; v < nv; v++)
                  f.get(pb)
                    .v128Load(u * GEMM_NR * 4 + v * 16)
                    .set(bv[v]);
                for (let r = 0; r < GEMM_MR; r++) {
                  f.get(pa)
                    .f32Splat4Load(u * GEMM_MR * 4 + r * 4)
                    .set(av);
                  for (let v = 0; v < nv; v++) {
                    const a = acc[r * nv + v];
                    f.get(a).get(av).get(bv[v]).f32x4Mul().f32x4Add().set(a);
                  }
                }
              }
              f.get(pa)
                .i32(U * GEMM_MR * 4)
                .i32Add()
                .set(pa);
              f.get(pb)
                .i32(U * GEMM_NR * 4)
                .i32Add()
                .set(pb);
              f.get(k).i32(U).i32Sub().set(k);
              f.br(0);
            }),
          );
          f.get(cp).set(row);
          for (let r = 0; r < GEMM_MR; r++) {
            for (let v = 0; v < nv; v++)
              f.get(row)
                .get(acc[r * nv + v])
                .v128Store(v * 16);
            if (r < GEMM_MR - 1) f.get(row).get(ldc).i32Add().set(row);
          }
          f.get(ip).i32(1).i32Add().set(ip);
          f.br(0);
        }),
      );
      f.get(jp).i32(1).i32Add().set(jp);
      f.br(0);
    }),
  );
  return f;
}

// NOTE: Cephes' expf: exp(z) = 2^n · p(r), n = round(z·log2 e), r = z - n·ln 2 split in two parts
// (Cody–Waite) so that r is exact to float32, p a degree-7 polynomial accurate to about 1 ulp on
// |r| ≤ ln2/2.
const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
const EXP_POLY = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
// NOTE: the sigmoid built on it measured at most 2 ulp (relative error 1.9e-7) from the float64
// formula rounded to float32, over 4e6 points of [-100, 100] (sigmoid-accuracy.test.ts allows 4);
// results under 2^-126 (x < -87.34) are flushed to 0, an absolute error below 1.2e-38.
/** Below this, e^z is under float32's smallest normal number and is flushed to 0. */
const EXP_UNDERFLOW = -87.33654;

/** 1.5·2^23: adding it rounds a float32 of magnitude below 2^22 to an integer kept in the low bits. */
const ROUND_MAGIC = 12582912;

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
    t: f.local(V128),
    nb: f.local(V128),
    nf: f.local(V128),
    r: f.local(V128),
    e: f.local(V128),
    s: f.local(V128),
  }));
  f.block(() =>
    f.loop(() => {
      f.get(blocks).i32Eqz().brIf(1);
      lanes.forEach(({ x, z, t, nb, nf, r, e, s }, u) => {
        f.get(ptr)
          .v128Load(16 * u)
          .set(x);
        // z = -|x| (the sign bit set); t = z clamped at the underflow limit (pmax keeps a NaN z)
        f.get(x);
        k(-0).v128Or().set(z);
        f.get(z);
        k(EXP_UNDERFLOW).f32x4Pmax().set(t);
        // NOTE: adding 1.5·2^23 rounds t·log2 e to the nearest integer n and leaves n in the low
        // mantissa bits, from which 2^n is built below without a float-to-int conversion.
        f.get(t);
        k(LOG2E).f32x4Mul();
        k(ROUND_MAGIC).f32x4Add().set(nb);
        f.get(nb);
        k(ROUND_MAGIC).f32x4Sub().set(nf);
        f.get(t).get(nf);
        k(LN2_HI).f32x4Mul().f32x4Sub();
        f.get(nf);
        k(LN2_LO).f32x4Mul().f32x4Sub().set(r);
        k(EXP_POLY[0]);
        for (let i = 1; i < EXP_POLY.length; i++) {
          f.get(r).f32x4Mul();
          k(EXP_POLY[i]).f32x4Add();
        }
        // e = (p·r·r + r + 1) · 2^n; 2^n's exponent field is n + 127 (1 … 127 after the clamp):
        // nb's low 9 bits plus 127, shifted into place
        f.get(r).f32x4Mul().get(r).f32x4Mul().get(r).f32x4Add();
        k(1).f32x4Add();
        f.get(nb).i32x4Const(127).i32x4Add().i32(23).i32x4Shl();
        f.f32x4Mul();
        // flushed to 0 below the limit (where the clamp made e wrong); NaN compares false and stays
        f.get(z);
        k(EXP_UNDERFLOW).f32x4Lt().v128AndNot().set(e);
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

/**
 * `pack(dst, src, panels, kc, kcp, lanes, valid, laneStride, kStride)`: copies a strided matrix
 * into `panels` panels of kcp × lanes floats (each k: `lanes` consecutive floats), element
 * (p·lanes + l, k) read from src + (p·lanes + l)·laneStride + k·kStride (bytes); lanes past `valid`
 * in the last panel and rows k ≥ kc are zeros. The GEMM's A panels (lanes MR along rows) and B
 * panels (lanes NR along columns) both come from it, whatever the strides (transposes included).
 */
function packBody(): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [dst, src, panels, kc, kcp, lanes, valid, laneStride, kStride] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const p = f.local(I32);
  const k = f.local(I32);
  const l = f.local(I32);
  const limit = f.local(I32);
  const base = f.local(I32);
  f.i32(0).set(p);
  f.block(() =>
    f.loop(() => {
      f.get(p).get(panels).i32GeU().brIf(1);
      // limit = valid in the last panel, lanes in the others
      f.get(valid).get(lanes).get(p).get(panels).i32(1).i32Sub().i32Eq().select().set(limit);
      f.get(src).get(p).get(lanes).i32Mul().get(laneStride).i32Mul().i32Add().set(base);
      f.i32(0).set(k);
      f.block(() =>
        f.loop(() => {
          f.get(k).get(kcp).i32GeU().brIf(1);
          f.i32(0).set(l);
          f.block(() =>
            f.loop(() => {
              f.get(l).get(lanes).i32GeU().brIf(1);
              f.get(dst);
              f.get(k).get(kc).i32LtU().get(l).get(limit).i32LtU().i32And();
              f.ifElseF32(
                () =>
                  f.get(base).get(l).get(laneStride).i32Mul().i32Add().get(k).get(kStride).i32Mul().i32Add().f32Load(),
                () => f.f32(0),
              );
              f.f32Store();
              f.get(dst).i32(4).i32Add().set(dst);
              f.get(l).i32(1).i32Add().set(l);
              f.br(0);
            }),
          );
          f.get(k).i32(1).i32Add().set(k);
          f.br(0);
        }),
      );
      f.get(p).i32(1).i32Add().set(p);
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

/** The compiled kernels and their memory. */
export interface SimdKernels {
  readonly memory: WebAssembly.Memory;
  readonly gemm: (ap: number, bp: number, c: number, kc: number, mPanels: number, nPanels: number, ldc: number) => void;
  readonly sigmoid: (src: number, dst: number, blocks: number) => void;
  readonly pack: (
    dst: number,
    src: number,
    panels: number,
    kc: number,
    kcp: number,
    lanes: number,
    valid: number,
    laneStride: number,
    kStride: number,
  ) => void;
  readonly binary: { readonly [K in SimdBinaryName]: (out: number, a: number, b: number, blocks: number) => void };
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

/** The module's bytes, with a memory of `pages` 64 KiB pages to start (exported for the tests, which validate them). */
export function simdModuleBytes(pages = 1): Uint8Array<ArrayBuffer> {
  return encodeModule(
    [
      { name: 'gemm', body: gemmBody() },
      { name: 'sigmoid', body: sigmoidBody() },
      { name: 'pack', body: packBody() },
      ...SIMD_BINARY.map((op) => ({ name: op, body: binaryBody(op) })),
    ],
    pages,
  );
}

/**
 * The SIMD kernels, compiled on first use, or null where WebAssembly SIMD is unavailable (the
 * callers then keep their JavaScript loops). The module is small (under 4 KB), so compiling it
 * synchronously is allowed on a browser's main thread.
 */
export function simdKernels(): SimdKernels | null {
  if (disabled) return null;
  if (kernels !== undefined) return kernels;
  kernels = null;
  if (typeof WebAssembly !== 'object') return null;
  const bytes = simdModuleBytes();
  if (!WebAssembly.validate(bytes)) return null;
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  } catch {
    // a page whose content security policy forbids compiling WebAssembly keeps the JavaScript loops
    return null;
  }
  const e = instance.exports as unknown as Omit<SimdKernels, 'binary'> & SimdKernels['binary'];
  const binary = Object.fromEntries(SIMD_BINARY.map((op) => [op, e[op]])) as unknown as SimdKernels['binary'];
  kernels = { memory: e.memory, gemm: e.gemm, sigmoid: e.sigmoid, pack: e.pack, binary };
  return kernels;
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
