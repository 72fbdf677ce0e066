import { FunctionBody, I32, V128, type ModuleFunction } from './wasm-encoder.ts';

/** Rows of the matrix product's register block (and of a packed A panel). */
export const GEMM_MR = 4;
/** Columns of the register block (and of a packed B panel): two f32x4 vectors. */
export const GEMM_NR = 8;

// NOTE: block sizes in the GotoBLAS arrangement: a KC×NR panel of B (8 KiB at KC=256) stays in the
// L1 cache while the micro-kernel walks the MC×KC block of A (128 KiB) held in L2; a KC×NC block of
// B is packed once and reused by every block of A. Other values (KC 128–1024, MC 64–256, NC
// 256–4096) measured within the noise of the shared test machine.
/** Depth of a packed block (the k steps one pass of the micro-kernel accumulates). */
export const GEMM_KC = 256;
/** Rows of A packed at once. */
export const GEMM_MC = 128;
/** Columns of B packed at once. */
export const GEMM_NC = 4096;

/** Bytes of scratch memory one thread's `gemm` needs: packed A, packed B and an edge tile. */
export const GEMM_SCRATCH_BYTES = (GEMM_MC * GEMM_KC + GEMM_KC * GEMM_NC + GEMM_MR * GEMM_NR) * 4;

/**
 * Loops `i` from its current value while `i < end` (unsigned; `end` a local, or `{ value }` a
 * constant), adding `step` after each `body`.
 */
function whileBelow(
  f: FunctionBody,
  i: number,
  end: number | { readonly value: number },
  step: number,
  body: () => void,
): void {
  f.block(() =>
    f.loop(() => {
      f.get(i);
      if (typeof end === 'number') f.get(end);
      else f.i32(end.value);
      f.i32GeU().brIf(1);
      body();
      f.get(i).i32(step).i32Add().set(i);
      f.br(0);
    }),
  );
}

/** local `to` = min(`cap`, `end` - `from`) for unsigned locals `end` ≥ `from`. */
function setMinRemaining(f: FunctionBody, to: number, cap: number, end: number, from: number): void {
  f.get(end).get(from).i32Sub().set(to);
  f.i32(cap).get(to).get(to).i32(cap).i32GtU().select().set(to);
}

/**
 * `micro(pa, pb, c, kc, ldc, first)`: C[MR×NR] (row-major, `ldc` bytes a row) += Ap·Bp over kc
 * steps, or = when `first` (C is not read, so it need not hold zeros), where Ap is a packed MR×kc
 * panel (each k: MR consecutive floats) and Bp a packed kc×NR one (each k: NR consecutive floats).
 * 8 f32x4 accumulators; A by `load32_splat`, B by two vector loads. With `fma`, each step is one
 * `f32x4.relaxed_madd` instead of a multiply and an add.
 */
function microBody(fma: boolean): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32]);
  const [pa, pb, c, kc, ldc, first] = [0, 1, 2, 3, 4, 5];
  const row = f.local(I32);
  const nv = GEMM_NR / 4;
  const acc = Array.from({ length: GEMM_MR * nv }, () => f.local(V128));
  const bv = Array.from({ length: nv }, () => f.local(V128));
  const av = f.local(V128);
  f.get(first).ifElse(
    () => {
      for (const a of acc) f.v128ConstF32(0).set(a);
    },
    () => {
      f.get(c).set(row);
      for (let r = 0; r < GEMM_MR; r++) {
        for (let v = 0; v < nv; v++)
          f.get(row)
            .v128Load(v * 16)
            .set(acc[r * nv + v]);
        if (r < GEMM_MR - 1) f.get(row).get(ldc).i32Add().set(row);
      }
    },
  );
  f.block(() =>
    f.loop(() => {
      f.get(kc).i32Eqz().brIf(1);
      for (let v = 0; v < nv; v++)
        f.get(pb)
          .v128Load(v * 16)
          .set(bv[v]);
      for (let r = 0; r < GEMM_MR; r++) {
        f.get(pa)
          .f32Splat4Load(r * 4)
          .set(av);
        for (let v = 0; v < nv; v++) {
          const a = acc[r * nv + v];
          if (fma) f.get(av).get(bv[v]).get(a).f32x4RelaxedMadd().set(a);
          else f.get(a).get(av).get(bv[v]).f32x4Mul().f32x4Add().set(a);
        }
      }
      f.get(pa)
        .i32(GEMM_MR * 4)
        .i32Add()
        .set(pa);
      f.get(pb)
        .i32(GEMM_NR * 4)
        .i32Add()
        .set(pb);
      f.get(kc).i32(1).i32Sub().set(kc);
      f.br(0);
    }),
  );
  f.get(c).set(row);
  for (let r = 0; r < GEMM_MR; r++) {
    for (let v = 0; v < nv; v++)
      f.get(row)
        .get(acc[r * nv + v])
        .v128Store(v * 16);
    if (r < GEMM_MR - 1) f.get(row).get(ldc).i32Add().set(row);
  }
  return f;
}

/**
 * `edge(pa, pb, c, kc, ldc, first, rows, cols, tile)`: the micro-kernel for a block of C cut by the
 * matrix's edge (rows < MR or cols < NR): through an MR×NR tile of scratch memory, so that nothing
 * outside C is read or written.
 */
function edgeBody(micro: number): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [pa, pb, c, kc, ldc, first, rows, cols, tile] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const r = f.local(I32);
  const j = f.local(I32);
  // copies C's rows×cols into the tile (toTile) or back
  const copy = (toTile: boolean): void => {
    f.i32(0).set(r);
    whileBelow(f, r, rows, 1, () => {
      f.i32(0).set(j);
      whileBelow(f, j, cols, 1, () => {
        const cAt = (): FunctionBody => f.get(c).get(r).get(ldc).i32Mul().i32Add().get(j).i32(4).i32Mul().i32Add();
        const tAt = (): FunctionBody =>
          f
            .get(tile)
            .get(r)
            .i32(GEMM_NR * 4)
            .i32Mul()
            .i32Add()
            .get(j)
            .i32(4)
            .i32Mul()
            .i32Add();
        if (toTile) {
          tAt();
          cAt().f32Load();
        } else {
          cAt();
          tAt().f32Load();
        }
        f.f32Store();
      });
    });
  };
  f.get(first)
    .i32Eqz()
    .ifElse(() => copy(true));
  f.get(pa)
    .get(pb)
    .get(tile)
    .get(kc)
    .i32(GEMM_NR * 4)
    .get(first)
    .call(micro);
  copy(false);
  return f;
}

/**
 * `packScalar(dst, src, valid, kFrom, kc, laneStride, kStride)`: rows k in [kFrom, kc) of a packed
 * panel of `lanes` lanes, element by element: lane l at k is src + l·laneStride + k·kStride (bytes),
 * or 0 for lanes from `valid` on. The general case of {@link packBody}.
 */
function packScalarBody(lanes: number): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32]);
  const [dst, src, valid, kFrom, kc, laneStride, kStride] = [0, 1, 2, 3, 4, 5, 6];
  const k = f.local(I32);
  const l = f.local(I32);
  const d = f.local(I32);
  f.get(kFrom).set(k);
  whileBelow(f, k, kc, 1, () => {
    f.get(dst)
      .get(k)
      .i32(lanes * 4)
      .i32Mul()
      .i32Add()
      .set(d);
    f.i32(0).set(l);
    whileBelow(f, l, { value: lanes }, 1, () => {
      f.get(d).get(l).i32(4).i32Mul().i32Add();
      f.get(l).get(valid).i32LtU();
      f.ifElseF32(
        () => f.get(src).get(l).get(laneStride).i32Mul().i32Add().get(k).get(kStride).i32Mul().i32Add().f32Load(),
        () => f.f32(0),
      );
      f.f32Store();
    });
  });
  return f;
}

/**
 * `pack(dst, src, count, kc, laneStride, kStride)`: copies `count` lanes × kc steps of a strided
 * matrix into panels of `lanes` lanes (each k: `lanes` consecutive floats), lane i at step k read
 * from src + i·laneStride + k·kStride (bytes); lanes past `count` in the last panel are zeros. A's
 * panels (lanes along rows, MR) and B's (lanes along columns, NR) both come from it, whatever the
 * strides. Full panels whose lanes are adjacent floats are copied a vector at a time; full panels
 * whose steps are adjacent (a row-major A, a transposed B) four steps at a time, by 4×4 transposes
 * of vectors; anything else element by element.
 */
function packBody(lanes: number, scalar: number): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32]);
  const [dst, src, count, kc, laneStride, kStride] = [0, 1, 2, 3, 4, 5];
  const base = f.local(I32);
  const s = f.local(I32);
  const d = f.local(I32);
  const k = f.local(I32);
  const kEnd = f.local(I32);
  const valid = f.local(I32);
  const rows = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const t = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const groups = lanes / 4;
  f.i32(0).set(base);
  whileBelow(f, base, count, lanes, () => {
    f.get(count).get(base).i32Sub().set(valid);
    // s = src + base·laneStride
    f.get(src).get(base).get(laneStride).i32Mul().i32Add().set(s);
    f.i32(0).set(k);
    f.get(valid)
      .i32(lanes)
      .i32GeU()
      .ifElse(() => {
        f.get(laneStride)
          .i32(4)
          .i32Eq()
          .ifElse(
            () => {
              // lanes adjacent: each step's lanes are `groups` vectors
              f.get(dst).set(d);
              whileBelow(f, k, kc, 1, () => {
                for (let g = 0; g < groups; g++)
                  f.get(d)
                    .get(s)
                    .v128Load(16 * g)
                    .v128Store(16 * g);
                f.get(s).get(kStride).i32Add().set(s);
                f.get(d)
                  .i32(lanes * 4)
                  .i32Add()
                  .set(d);
              });
            },
            () =>
              f
                .get(kStride)
                .i32(4)
                .i32Eq()
                .ifElse(() => {
                  // steps adjacent: 4 lanes × 4 steps loaded as 4 vectors and transposed
                  // kEnd = kc > 3 ? kc - 3 : 0, so that k < kEnd means k + 4 ≤ kc
                  f.get(kc).i32(3).i32Sub().i32(0).get(kc).i32(3).i32GtU().select().set(kEnd);
                  f.get(dst).set(d);
                  whileBelow(f, k, kEnd, 4, () => {
                    for (let g = 0; g < groups; g++) {
                      for (let i = 0; i < 4; i++) {
                        f.get(s)
                          .get(laneStride)
                          .i32(4 * g + i)
                          .i32Mul()
                          .i32Add()
                          .v128Load()
                          .set(rows[i]);
                      }
                      f.get(rows[0]).get(rows[1]).f32x4Shuffle([0, 4, 1, 5]).set(t[0]);
                      f.get(rows[2]).get(rows[3]).f32x4Shuffle([0, 4, 1, 5]).set(t[1]);
                      f.get(rows[0]).get(rows[1]).f32x4Shuffle([2, 6, 3, 7]).set(t[2]);
                      f.get(rows[2]).get(rows[3]).f32x4Shuffle([2, 6, 3, 7]).set(t[3]);
                      for (let j = 0; j < 4; j++) {
                        const [x, y] = j < 2 ? [t[0], t[1]] : [t[2], t[3]];
                        const pick: [number, number, number, number] = j % 2 === 0 ? [0, 1, 4, 5] : [2, 3, 6, 7];
                        f.get(d)
                          .get(x)
                          .get(y)
                          .f32x4Shuffle(pick)
                          .v128Store((j * lanes + 4 * g) * 4);
                      }
                    }
                    f.get(s).i32(16).i32Add().set(s);
                    f.get(d)
                      .i32(16 * lanes)
                      .i32Add()
                      .set(d);
                  });
                  // the steps left (kc mod 4) element by element, from the panel's start
                  f.get(src).get(base).get(laneStride).i32Mul().i32Add().set(s);
                }),
          );
      });
    // what the fast paths left: every step of a partial or general panel, the tail of a transposed one
    f.get(k).get(kc).i32LtU();
    f.ifElse(() => {
      f.get(dst).get(s).get(valid).get(k).get(kc).get(laneStride).get(kStride).call(scalar);
    });
    f.get(dst)
      .get(kc)
      .i32(lanes * 4)
      .i32Mul()
      .i32Add()
      .set(dst);
  });
  return f;
}

/**
 * `gemm(a, ars, acs, b, brs, bcs, c, ldc, m, n, k, ap, bp, tile)`: C (m×n, `ldc` bytes a row) = A
 * (m×k) · B (k×n), A's element (i, p) at a + i·ars + p·acs and B's (p, j) at b + p·brs + j·bcs (byte
 * addresses and strides, so a transposed operand is its strides swapped). The GotoBLAS loops: for
 * each KC×NC block of B, packed into `bp`, and each MC×KC block of A, packed into `ap`, the
 * micro-kernel over every MR×NR block of C, through `tile` where C's edge cuts one. C is written,
 * never read before it is, so it need not hold zeros; a product split by rows or columns of C over
 * threads gives each element the same sums in the same order.
 */
function gemmBody(fn: { micro: number; edge: number; packA: number; packB: number }): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [a, ars, acs, b, brs, bcs, c, ldc, m, n, k, ap, bp, tile] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const [jc, nc, pc, kc, ic, mc, jr, cols, ir, rows, pa, pb, cp, first] = Array.from({ length: 14 }, () =>
    f.local(I32),
  );
  f.i32(0).set(jc);
  whileBelow(f, jc, n, GEMM_NC, () => {
    setMinRemaining(f, nc, GEMM_NC, n, jc);
    f.i32(0).set(pc);
    whileBelow(f, pc, k, GEMM_KC, () => {
      setMinRemaining(f, kc, GEMM_KC, k, pc);
      f.get(pc).i32Eqz().set(first);
      // pack B's block: lanes along columns (NR), steps along rows
      f.get(bp);
      f.get(b).get(pc).get(brs).i32Mul().i32Add().get(jc).get(bcs).i32Mul().i32Add();
      f.get(nc).get(kc).get(bcs).get(brs).call(fn.packB);
      f.i32(0).set(ic);
      whileBelow(f, ic, m, GEMM_MC, () => {
        setMinRemaining(f, mc, GEMM_MC, m, ic);
        // pack A's block: lanes along rows (MR), steps along columns
        f.get(ap);
        f.get(a).get(ic).get(ars).i32Mul().i32Add().get(pc).get(acs).i32Mul().i32Add();
        f.get(mc).get(kc).get(ars).get(acs).call(fn.packA);
        f.i32(0).set(jr);
        whileBelow(f, jr, nc, GEMM_NR, () => {
          setMinRemaining(f, cols, GEMM_NR, nc, jr);
          // pb = bp + jr·kc·4 (panel jr/NR of kc×NR floats)
          f.get(bp).get(jr).get(kc).i32Mul().i32(4).i32Mul().i32Add().set(pb);
          f.i32(0).set(ir);
          whileBelow(f, ir, mc, GEMM_MR, () => {
            setMinRemaining(f, rows, GEMM_MR, mc, ir);
            f.get(ap).get(ir).get(kc).i32Mul().i32(4).i32Mul().i32Add().set(pa);
            // cp = c + (ic + ir)·ldc + (jc + jr)·4
            f.get(c).get(ic).get(ir).i32Add().get(ldc).i32Mul().i32Add();
            f.get(jc).get(jr).i32Add().i32(4).i32Mul().i32Add().set(cp);
            f.get(rows)
              .i32(GEMM_MR)
              .i32Eq()
              .get(cols)
              .i32(GEMM_NR)
              .i32Eq()
              .i32And()
              .ifElse(
                () => f.get(pa).get(pb).get(cp).get(kc).get(ldc).get(first).call(fn.micro),
                () => f.get(pa).get(pb).get(cp).get(kc).get(ldc).get(first).get(rows).get(cols).get(tile).call(fn.edge),
              );
          });
        });
      });
    });
  });
  return f;
}

/**
 * The matrix product's functions, to be placed in a module from index `at` on: the internal
 * micro-kernel, edge block and packing routines, and the exported `gemm` (see {@link gemmBody}).
 */
export function gemmFunctions(at: number, fma: boolean): ModuleFunction[] {
  const index = { micro: at, edge: at + 1, scalar4: at + 2, scalar8: at + 3, packA: at + 4, packB: at + 5 };
  return [
    { name: 'micro', body: microBody(fma), exported: false },
    { name: 'edge', body: edgeBody(index.micro), exported: false },
    { name: 'packScalar4', body: packScalarBody(GEMM_MR), exported: false },
    { name: 'packScalar8', body: packScalarBody(GEMM_NR), exported: false },
    { name: 'packA', body: packBody(GEMM_MR, index.scalar4), exported: false },
    { name: 'packB', body: packBody(GEMM_NR, index.scalar8), exported: false },
    { name: 'gemm', body: gemmBody(index) },
  ];
}
