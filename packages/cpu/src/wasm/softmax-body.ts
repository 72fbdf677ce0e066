import { expLocals, pushExpNonPositive, type ExpLocals } from './exp-simd.ts';
import { F32, FunctionBody, I32, V128, type ModuleFunction } from './wasm-encoder.ts';

/** Floats of per-row statistics `softmaxStats` writes: max, Σ e^(x-max), Σ w·(x-max), Σ w. */
export const STATS_FLOATS = 4;

/** Loops `i` from its current value while `i < end` (unsigned locals), adding `step` after each `body`. */
function whileBelow(f: FunctionBody, i: number, end: number, step: number, body: () => void): void {
  f.block(() =>
    f.loop(() => {
      f.get(i).get(end).i32GeU().brIf(1);
      body();
      f.get(i).i32(step).i32Add().set(i);
      f.br(0);
    }),
  );
}

/** Pushes the address base + i·4. */
const at = (f: FunctionBody, base: number, i: number): FunctionBody => f.get(base).get(i).i32(4).i32Mul().i32Add();

/** Pushes the sum of the four lanes of vector local `v`, ((l0 + l1) + l2) + l3. */
function pushLaneSum(f: FunctionBody, v: number): void {
  f.get(v).f32x4ExtractLane(0);
  for (let l = 1; l < 4; l++) f.get(v).f32x4ExtractLane(l).f32Add();
}

/** Vectors per iteration of the exponential loops: independent chains, so that the polynomial's latency overlaps. */
const UNROLL = 4;

/** One vector lane of an unrolled loop: its input, its exponential's locals and its sums. */
interface Lane {
  readonly z: number;
  readonly ex: ExpLocals;
  readonly sums: readonly number[];
}

/** The locals the row loops share. */
interface RowLocals {
  readonly i: number;
  /** cols rounded down to a multiple of 4, and of 4·UNROLL. */
  readonly vecEnd: number;
  readonly blockEnd: number;
  readonly max: number;
  readonly m4: number;
  /** Lane 0 also serves the single vectors and the scalar tail. */
  readonly lanes: readonly Lane[];
  readonly z: number;
  readonly ex: ExpLocals;
}

function rowLocals(f: FunctionBody, sums: number): RowLocals {
  const lanes = Array.from({ length: UNROLL }, () => ({
    z: f.local(V128),
    ex: expLocals(f),
    sums: Array.from({ length: sums }, () => f.local(V128)),
  }));
  const [i, vecEnd, blockEnd] = [f.local(I32), f.local(I32), f.local(I32)];
  return { i, vecEnd, blockEnd, max: f.local(F32), m4: f.local(V128), lanes, z: lanes[0].z, ex: lanes[0].ex };
}

/**
 * Runs `body(lane, offset)` over a row's vectors: UNROLL at a time (lane u at byte offset 16·u from
 * element i), then one at a time in lane 0 up to vecEnd; `i` ends at vecEnd.
 */
function vectorLoop(f: FunctionBody, L: RowLocals, body: (lane: Lane, offset: number) => void): void {
  f.i32(0).set(L.i);
  whileBelow(f, L.i, L.blockEnd, 4 * UNROLL, () => L.lanes.forEach((lane, u) => body(lane, 16 * u)));
  whileBelow(f, L.i, L.vecEnd, 4, () => body(L.lanes[0], 0));
}

/** Zeroes every lane's sums. */
function zeroSums(f: FunctionBody, L: RowLocals): void {
  for (const lane of L.lanes) for (const acc of lane.sums) f.v128ConstF32(0).set(acc);
}

/** Pushes the total of sum `k` over the lanes and over each vector's four floats. */
function pushSum(f: FunctionBody, L: RowLocals, k: number): void {
  const [a, b, c, d] = L.lanes.map((lane) => lane.sums[k]);
  f.get(a).get(b).f32x4Add().get(c).get(d).f32x4Add().f32x4Add().set(a);
  pushLaneSum(f, a);
}

/** local `max` = the largest of the `cols` floats from `src` (NaN if any is NaN), and `m4` = it in every lane. */
function rowMax(f: FunctionBody, src: number, cols: number, L: RowLocals): void {
  const { i, max, m4, lanes } = L;
  // a running maximum per lane of the unrolled loop (the lanes' z locals), then combined
  for (const { z } of lanes) f.v128ConstF32(-Infinity).set(z);
  vectorLoop(f, L, ({ z }, offset) => {
    f.get(z);
    at(f, src, i).v128Load(offset).f32x4Max().set(z);
  });
  const [a, b, c, d] = lanes.map(({ z }) => z);
  f.get(a).get(b).f32x4Max().get(c).get(d).f32x4Max().f32x4Max().set(m4);
  f.get(m4).f32x4ExtractLane(0).set(max);
  for (let l = 1; l < 4; l++) f.get(max).get(m4).f32x4ExtractLane(l).f32Max().set(max);
  whileBelow(f, i, cols, 1, () => {
    f.get(max);
    at(f, src, i).f32Load().f32Max().set(max);
  });
  f.get(max).f32x4Splat().set(m4);
}

/** Pushes e^v for the f32 v ≤ 0 on the stack, as lane 0 of the vector exponential (a row's tail). */
function pushScalarExp(f: FunctionBody, { z, ex }: RowLocals): void {
  f.f32x4Splat().set(z);
  pushExpNonPositive(f, z, ex);
  f.f32x4ExtractLane(0);
}

/**
 * `softmax(src, dst, rows, cols)`: each of `rows` rows of `cols` floats (contiguous, from byte
 * addresses src and dst; dst may be src) becomes e^(x - max) / Σ e^(x - max), in float32, four
 * lanes at a time and the tail (cols mod 4) one by one.
 */
function softmaxBody(): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32]);
  const [src, dst, rows, cols] = [0, 1, 2, 3];
  const L = rowLocals(f, 1);
  const { i, vecEnd, blockEnd, m4 } = L;
  const r = f.local(I32);
  const d4 = f.local(V128);
  const total = f.local(F32);
  const e = f.local(F32);
  f.get(cols).i32(-4).i32And().set(vecEnd);
  f.get(cols)
    .i32(-4 * UNROLL)
    .i32And()
    .set(blockEnd);
  f.i32(0).set(r);
  whileBelow(f, r, rows, 1, () => {
    rowMax(f, src, cols, L);
    // e^(x - max) into dst, summed
    zeroSums(f, L);
    vectorLoop(f, L, ({ z, ex, sums: [s4] }, offset) => {
      at(f, src, i).v128Load(offset).get(m4).f32x4Sub().set(z);
      at(f, dst, i);
      pushExpNonPositive(f, z, ex);
      f.tee(z).v128Store(offset);
      f.get(s4).get(z).f32x4Add().set(s4);
    });
    pushSum(f, L, 0);
    f.set(total);
    whileBelow(f, i, cols, 1, () => {
      at(f, src, i).f32Load().get(L.max).f32Sub();
      pushScalarExp(f, L);
      f.set(e);
      at(f, dst, i).get(e).f32Store();
      f.get(total).get(e).f32Add().set(total);
    });
    // times 1 / sum (one division a row; at most one more rounding than dividing each)
    f.f32(1).get(total).f32Div().set(total);
    f.get(total).f32x4Splat().set(d4);
    f.i32(0).set(i);
    whileBelow(f, i, vecEnd, 4, () => {
      at(f, dst, i);
      at(f, dst, i).v128Load().get(d4).f32x4Mul().v128Store();
    });
    whileBelow(f, i, cols, 1, () => {
      at(f, dst, i);
      at(f, dst, i).f32Load().get(total).f32Mul().f32Store();
    });
    f.get(src).get(cols).i32(4).i32Mul().i32Add().set(src);
    f.get(dst).get(cols).i32(4).i32Mul().i32Add().set(dst);
  });
  return f;
}

/**
 * `softmaxStats(logits, target, stats, rows, cols)`: for each row of logits x and target weights
 * w (contiguous rows of `cols` floats), STATS_FLOATS floats at stats: max, Σ e^(x - max),
 * Σ w·(x - max) over the w ≠ 0 (so that a zero weight on an infinite logit adds 0, not NaN), and
 * Σ w; the cross entropy's caller finishes each row from them.
 */
function softmaxStatsBody(): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32]);
  const [logits, target, stats, rows, cols] = [0, 1, 2, 3, 4];
  const L = rowLocals(f, 3);
  const { i, vecEnd, blockEnd, max, m4 } = L;
  const r = f.local(I32);
  const wv = f.local(V128);
  const total = f.local(F32);
  const dot = f.local(F32);
  const wsum = f.local(F32);
  const v = f.local(F32);
  const w = f.local(F32);
  f.get(cols).i32(-4).i32And().set(vecEnd);
  f.get(cols)
    .i32(-4 * UNROLL)
    .i32And()
    .set(blockEnd);
  f.i32(0).set(r);
  whileBelow(f, r, rows, 1, () => {
    rowMax(f, logits, cols, L);
    zeroSums(f, L);
    vectorLoop(f, L, ({ z, ex, sums: [s4, d4, w4] }, offset) => {
      at(f, logits, i).v128Load(offset).get(m4).f32x4Sub().set(z);
      at(f, target, i).v128Load(offset).set(wv);
      // the products where w ≠ 0 (a lane mask), and Σ w
      f.get(d4).get(wv).get(z).f32x4Mul().get(wv).v128ConstF32(0).f32x4Ne().v128And().f32x4Add().set(d4);
      f.get(w4).get(wv).f32x4Add().set(w4);
      f.get(s4);
      pushExpNonPositive(f, z, ex);
      f.f32x4Add().set(s4);
    });
    pushSum(f, L, 0);
    f.set(total);
    pushSum(f, L, 1);
    f.set(dot);
    pushSum(f, L, 2);
    f.set(wsum);
    whileBelow(f, i, cols, 1, () => {
      at(f, logits, i).f32Load().get(max).f32Sub().set(v);
      at(f, target, i).f32Load().set(w);
      f.get(total).get(v);
      pushScalarExp(f, L);
      f.f32Add().set(total);
      f.get(w)
        .f32(0)
        .f32Ne()
        .ifElse(() => f.get(dot).get(w).get(v).f32Mul().f32Add().set(dot));
      f.get(wsum).get(w).f32Add().set(wsum);
    });
    f.get(stats).get(max).f32Store(0);
    f.get(stats).get(total).f32Store(4);
    f.get(stats).get(dot).f32Store(8);
    f.get(stats).get(wsum).f32Store(12);
    f.get(stats)
      .i32(STATS_FLOATS * 4)
      .i32Add()
      .set(stats);
    f.get(logits).get(cols).i32(4).i32Mul().i32Add().set(logits);
    f.get(target).get(cols).i32(4).i32Mul().i32Add().set(target);
  });
  return f;
}

/** The softmax kernels, exported as `softmax` and `softmaxStats`. */
export function softmaxFunctions(): ModuleFunction[] {
  return [
    { name: 'softmax', body: softmaxBody() },
    { name: 'softmaxStats', body: softmaxStatsBody() },
  ];
}
