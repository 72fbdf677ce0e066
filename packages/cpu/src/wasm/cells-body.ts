import { expLocals, pushExpNonPositive, type ExpLocals } from './exp-simd.ts';
import { FunctionBody, I32, V128, type ModuleFunction } from './wasm-encoder.ts';

// The recurrent cells' gate arithmetic (recurrent-cells.ts has the equations and the JavaScript
// loops) in WebAssembly SIMD, four units at a time: sigmoid and tanh from the vector exponential
// (exp-simd.ts). Every kernel takes contiguous row-major operands at byte addresses and writes a
// fresh output; a row whose width H is not a multiple of 4 ends with one vector that overlaps the
// previous one (recomputing, and storing again, the same values), and rows narrower than 4 go one
// element at a time through lane 0 of the same vector code.

/** The v128 locals the activations work in. */
interface Scratch {
  readonly x: number;
  readonly z: number;
  readonly e: number;
  readonly ex: ExpLocals;
}

function scratch(f: FunctionBody): Scratch {
  return { x: f.local(V128), z: f.local(V128), e: f.local(V128), ex: expLocals(f) };
}

/** Replaces the vector on the stack by its sigmoid: 1/(1+e) for x ≥ 0, e/(1+e) below, e = e^-|x|. */
function sigmoid(f: FunctionBody, { x, z, e, ex }: Scratch): void {
  f.set(x);
  f.get(x).v128ConstF32(-0).v128Or().set(z);
  pushExpNonPositive(f, z, ex);
  f.set(e);
  // s = 1/(1+e); x ≥ 0 ? s : e·s (NaN stays NaN)
  f.v128ConstF32(1).v128ConstF32(1).get(e).f32x4Add().f32x4Div().set(z);
  f.get(z).get(e).get(z).f32x4Mul().get(x).v128ConstF32(0).f32x4Ge().v128Bitselect();
}

/**
 * Replaces the vector on the stack by its tanh: sign(x)·(1 - e)/(1 + e) with e = e^-2|x|, which
 * cannot overflow; near 0 the difference 1 - e leaves an absolute error of about 1e-7.
 */
function tanh(f: FunctionBody, { x, z, e, ex }: Scratch): void {
  f.set(x);
  // z = -2|x|
  f.get(x).v128ConstF32(-0).v128Or().v128ConstF32(2).f32x4Mul().set(z);
  pushExpNonPositive(f, z, ex);
  f.set(e);
  f.v128ConstF32(1).get(e).f32x4Sub().v128ConstF32(1).get(e).f32x4Add().f32x4Div();
  // the sign of x put back
  f.get(x).v128ConstF32(-0).v128And().v128Or();
}

/**
 * Pushes an element index (see `cellKernel`): part k of a row `width` parts of H wide, in the
 * output's block `block` (blocks of N rows of that width).
 */
type At = (width: number, k: number, block?: number) => () => void;

/** How one kernel reads its inputs and writes its outputs for units j … j+3 of row r. */
interface Lanes {
  /** Pushes four floats of input `input` from element `at` (an i32 local holding an element index). */
  load(input: number, at: () => void): void;
  /** Stores the vector computed by `value` at element `at` of the output. */
  store(at: () => void, value: () => void): void;
}

/**
 * A kernel `name(inputs…, out, n, h)` whose `body(f, lanes, r, j, …)` computes units j … j+3 of
 * row r; the row loops, the overlapping last vector and the narrow rows are shared.
 */
function cellKernel(inputs: number, body: (f: FunctionBody, lanes: Lanes, at: At) => void): FunctionBody {
  const f = new FunctionBody(Array.from({ length: inputs + 3 }, () => I32));
  const [out, n, h] = [inputs, inputs + 1, inputs + 2];
  const [r, j, end] = [f.local(I32), f.local(I32), f.local(I32)];
  const address = (base: number, at: () => void): void => {
    f.get(base);
    at();
    f.i32(4).i32Mul().i32Add();
  };
  const vector: Lanes = {
    load: (input, at) => {
      address(input, at);
      f.v128Load();
    },
    store: (at, value) => {
      address(out, at);
      value();
      f.v128Store();
    },
  };
  const single: Lanes = {
    load: (input, at) => {
      address(input, at);
      f.f32Splat4Load();
    },
    store: (at, value) => {
      address(out, at);
      value();
      f.f32x4ExtractLane(0).f32Store();
    },
  };
  // element index r·width·h + k·h + j of row r's part k, for a row `width` parts wide; `block`
  // output blocks of N·width·h elements come first
  const at: At =
    (width, k, block = 0) =>
    () => {
      if (block > 0)
        f.get(n)
          .get(h)
          .i32Mul()
          .i32(block * width)
          .i32Mul();
      f.get(r).get(h).i32Mul().i32(width).i32Mul().get(j).i32Add();
      if (block > 0) f.i32Add();
      if (k > 0) f.get(h).i32(k).i32Mul().i32Add();
    };
  const loop = (i: number, limit: () => void, step: number, each: () => void): void =>
    void f.block(() =>
      f.loop(() => {
        f.get(i);
        limit();
        f.i32GeU().brIf(1);
        each();
        f.get(i).i32(step).i32Add().set(i);
        f.br(0);
      }),
    );
  f.i32(0).set(r);
  loop(
    r,
    () => f.get(n),
    1,
    () => {
      f.i32(0).set(j);
      f.get(h)
        .i32(4)
        .i32GeU()
        .ifElse(
          () => {
            // vectors while four units remain, then the last four units again if h is not a multiple
            f.get(h).i32(3).i32Sub().set(end);
            loop(
              j,
              () => f.get(end),
              4,
              () => body(f, vector, at),
            );
            f.get(j)
              .get(h)
              .i32LtU()
              .ifElse(() => {
                f.get(h).i32(4).i32Sub().set(j);
                body(f, vector, at);
              });
          },
          () =>
            loop(
              j,
              () => f.get(h),
              1,
              () => body(f, single, at),
            ),
        );
    },
  );
  return f;
}

/** Computes each gate's activation into a fresh local: `kinds` says which are sigmoids and which tanh. */
function activations(
  f: FunctionBody,
  s: Scratch,
  load: Lanes['load'],
  input: number,
  at: At,
  width: number,
  kinds: readonly ('sigmoid' | 'tanh')[],
): number[] {
  return kinds.map((kind, k) => {
    load(input, at(width, k));
    if (kind === 'sigmoid') sigmoid(f, s);
    else tanh(f, s);
    const local = f.local(V128);
    f.set(local);
    return local;
  });
}

const LSTM_GATES = ['sigmoid', 'tanh', 'sigmoid', 'sigmoid'] as const;

/** `lstmCell(gates, c, out, n, h)`: out [2, N, H] = h' then c', from gates [N, 4H] (f, g, i, o) and c [N, H]. */
function lstmBody(): FunctionBody {
  return cellKernel(2, (f, { load, store }, at) => {
    const s = scratch(f);
    const [gf, gg, gi, go] = activations(f, s, load, 0, at, 4, LSTM_GATES);
    const cn = f.local(V128);
    load(1, at(1, 0));
    f.get(gf).f32x4Mul().get(gg).get(gi).f32x4Mul().f32x4Add().set(cn);
    store(at(1, 0, 1), () => f.get(cn));
    store(at(1, 0), () => {
      f.get(go).get(cn);
      tanh(f, s);
      f.f32x4Mul();
    });
  });
}

/**
 * `lstmCellBackward(gates, c, dh, dc, out, n, h)`: out = d gates (N·4H) then d c (N·H), with
 * t = tanh(c'), D = dc + dh·o·(1 - t²).
 */
function lstmBackwardBody(): FunctionBody {
  return cellKernel(4, (f, { load, store }, at) => {
    const s = scratch(f);
    const [gf, gg, gi, go] = activations(f, s, load, 0, at, 4, LSTM_GATES);
    const [c, t, dh, d] = Array.from({ length: 4 }, () => f.local(V128));
    load(1, at(1, 0));
    f.set(c);
    f.get(gf).get(c).f32x4Mul().get(gg).get(gi).f32x4Mul().f32x4Add();
    tanh(f, s);
    f.set(t);
    load(2, at(1, 0));
    f.set(dh);
    // D = dc + dh·o·(1 - t²)
    load(3, at(1, 0));
    f.get(dh).get(go).f32x4Mul().v128ConstF32(1).get(t).get(t).f32x4Mul().f32x4Sub().f32x4Mul().f32x4Add().set(d);
    const slope = (g: number): void => void f.get(g).v128ConstF32(1).get(g).f32x4Sub().f32x4Mul();
    store(at(4, 0), () => {
      f.get(d).get(c).f32x4Mul();
      slope(gf);
      f.f32x4Mul();
    });
    store(at(4, 1), () => f.get(d).get(gi).f32x4Mul().v128ConstF32(1).get(gg).get(gg).f32x4Mul().f32x4Sub().f32x4Mul());
    store(at(4, 2), () => {
      f.get(d).get(gg).f32x4Mul();
      slope(gi);
      f.f32x4Mul();
    });
    store(at(4, 3), () => {
      f.get(dh).get(t).f32x4Mul();
      slope(go);
      f.f32x4Mul();
    });
    store(at(1, 0, 4), () => f.get(d).get(gf).f32x4Mul());
  });
}

/** The GRU's gates of units j … j+3: r, z, n and the recurrent share of n, hn. */
function gruGates(
  f: FunctionBody,
  s: Scratch,
  load: Lanes['load'],
  at: At,
): { r: number; z: number; n: number; hn: number } {
  const [r, z, n, hn] = Array.from({ length: 4 }, () => f.local(V128));
  load(0, at(3, 0));
  load(1, at(3, 0));
  f.f32x4Add();
  sigmoid(f, s);
  f.set(r);
  load(0, at(3, 1));
  load(1, at(3, 1));
  f.f32x4Add();
  sigmoid(f, s);
  f.set(z);
  load(1, at(3, 2));
  f.set(hn);
  load(0, at(3, 2));
  f.get(r).get(hn).f32x4Mul().f32x4Add();
  tanh(f, s);
  f.set(n);
  return { r, z, n, hn };
}

/** `gruCell(xg, hg, h, out, n, size)`: out [N, H] = (1 - z)·n + z·h. */
function gruBody(): FunctionBody {
  return cellKernel(3, (f, { load, store }, at) => {
    const s = scratch(f);
    const { z, n } = gruGates(f, s, load, at);
    store(at(1, 0), () => {
      f.v128ConstF32(1).get(z).f32x4Sub().get(n).f32x4Mul().get(z);
      load(2, at(1, 0));
      f.f32x4Mul().f32x4Add();
    });
  });
}

/**
 * `gruCellBackward(xg, hg, h, dy, out, n, size)`: out = d xg (N·3H), d hg (N·3H), d h (N·H), with
 * P = dy·(1-z)·(1-n²).
 */
function gruBackwardBody(): FunctionBody {
  return cellKernel(4, (f, { load, store }, at) => {
    const s = scratch(f);
    const { r, z, n, hn } = gruGates(f, s, load, at);
    const [dy, p, dr, dz] = Array.from({ length: 4 }, () => f.local(V128));
    load(3, at(1, 0));
    f.set(dy);
    f.get(dy)
      .v128ConstF32(1)
      .get(z)
      .f32x4Sub()
      .f32x4Mul()
      .v128ConstF32(1)
      .get(n)
      .get(n)
      .f32x4Mul()
      .f32x4Sub()
      .f32x4Mul()
      .set(p);
    f.get(p).get(hn).f32x4Mul().get(r).f32x4Mul().v128ConstF32(1).get(r).f32x4Sub().f32x4Mul().set(dr);
    f.get(dy);
    load(2, at(1, 0));
    f.get(n).f32x4Sub().f32x4Mul().get(z).f32x4Mul().v128ConstF32(1).get(z).f32x4Sub().f32x4Mul().set(dz);
    for (const block of [0, 1]) {
      store(at(3, 0, block), () => f.get(dr));
      store(at(3, 1, block), () => f.get(dz));
    }
    store(at(3, 2), () => f.get(p));
    store(at(3, 2, 1), () => f.get(p).get(r).f32x4Mul());
    store(at(1, 0, 6), () => f.get(dy).get(z).f32x4Mul());
  });
}

/** The cells' kernels: `lstmCell`, `lstmCellBackward`, `gruCell`, `gruCellBackward`. */
export function cellFunctions(): ModuleFunction[] {
  return [
    { name: 'lstmCell', body: lstmBody() },
    { name: 'lstmCellBackward', body: lstmBackwardBody() },
    { name: 'gruCell', body: gruBody() },
    { name: 'gruCellBackward', body: gruBackwardBody() },
  ];
}
