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
  readonly d: number;
  readonly ex: ExpLocals;
}

function scratch(f: FunctionBody): Scratch {
  return { x: f.local(V128), z: f.local(V128), e: f.local(V128), d: f.local(V128), ex: expLocals(f) };
}

/** An activation's value, its derivative, and (of a sigmoid) 1 - its value, each in a local. */
interface Activation {
  readonly value: number;
  readonly slope: number;
  readonly rest: number;
}

// NOTE: the derivatives come from e, not from the value: 1 - tanh² = 4e/(1+e)² and σ(1-σ) =
// e/(1+e)² keep their relative accuracy where the activation saturates, and 1 - σ(x) = σ(-x) is
// computed rather than subtracted; from the float32 value, 1 - t² loses digits as t nears ±1.
/**
 * Consumes the vector on the stack: `sigmoid` gives 1/(1+e) for x ≥ 0, e/(1+e) below, with
 * e = e^-|x|; `tanh` gives sign(x)·(1 - e)/(1 + e) with e = e^-2|x| (nothing overflows; near 0,
 * 1 - e leaves an absolute error of about 1e-7).
 */
function activate(f: FunctionBody, { x, z, e, d, ex }: Scratch, kind: 'sigmoid' | 'tanh'): Activation {
  const [value, slope, rest] = [f.local(V128), f.local(V128), f.local(V128)];
  f.set(x);
  // z = -|x|, or -2|x|
  f.get(x).v128ConstF32(-0).v128Or();
  if (kind === 'tanh') f.v128ConstF32(2).f32x4Mul();
  f.set(z);
  pushExpNonPositive(f, z, ex);
  f.set(e);
  f.v128ConstF32(1).get(e).f32x4Add().set(d);
  if (kind === 'sigmoid') {
    const nonNegative = (): FunctionBody => f.get(x).v128ConstF32(0).f32x4Ge();
    // value = (x ≥ 0 ? 1 : e) / d, rest = (x ≥ 0 ? e : 1) / d (NaN stays NaN)
    f.v128ConstF32(1).get(e);
    nonNegative().v128Bitselect().get(d).f32x4Div().set(value);
    f.get(e).v128ConstF32(1);
    nonNegative().v128Bitselect().get(d).f32x4Div().set(rest);
    f.get(e).get(d).get(d).f32x4Mul().f32x4Div().set(slope);
  } else {
    f.v128ConstF32(1).get(e).f32x4Sub().get(d).f32x4Div();
    // the sign of x put back
    f.get(x).v128ConstF32(-0).v128And().v128Or().set(value);
    f.get(e).v128ConstF32(4).f32x4Mul().get(d).get(d).f32x4Mul().f32x4Div().set(slope);
  }
  return { value, slope, rest };
}

/**
 * Pushes an element index (see `cellKernel`): part k of a row `width` parts of H wide, in the
 * output's block `block` (blocks of N rows of that width).
 */
type At = (width: number, k: number, block?: number) => () => void;

/** How one kernel reads its inputs and writes its outputs for units j … j+3 of row r. */
interface Lanes {
  /** Pushes four floats of input `input` from element `at` (an i32 local holding an element index). */
  readonly load: (input: number, at: () => void) => void;
  /** Stores the vector computed by `value` at element `at` of the output. */
  readonly store: (at: () => void, value: () => void) => void;
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

/** Loads each gate of `input` (a row of `kinds.length` parts) and activates it. */
function gates(
  f: FunctionBody,
  s: Scratch,
  load: Lanes['load'],
  input: number,
  at: At,
  kinds: readonly ('sigmoid' | 'tanh')[],
): Activation[] {
  return kinds.map((kind, k) => {
    load(input, at(kinds.length, k));
    return activate(f, s, kind);
  });
}

const LSTM_GATES = ['sigmoid', 'tanh', 'sigmoid', 'sigmoid'] as const;

/** `lstmCell(gates, c, out, n, h)`: out [2, N, H] = h' then c', from gates [N, 4H] (f, g, i, o) and c [N, H]. */
function lstmBody(): FunctionBody {
  return cellKernel(2, (f, { load, store }, at) => {
    const s = scratch(f);
    const [gf, gg, gi, go] = gates(f, s, load, 0, at, LSTM_GATES);
    const cn = f.local(V128);
    load(1, at(1, 0));
    f.get(gf.value).f32x4Mul().get(gg.value).get(gi.value).f32x4Mul().f32x4Add().set(cn);
    store(at(1, 0, 1), () => f.get(cn));
    f.get(cn);
    const t = activate(f, s, 'tanh');
    store(at(1, 0), () => f.get(go.value).get(t.value).f32x4Mul());
  });
}

/**
 * `lstmCellBackward(gates, c, dh, dc, out, n, h)`: out = d gates (N·4H) then d c (N·H), with
 * t = tanh(c'), D = dc + dh·o·(1 - t²).
 */
function lstmBackwardBody(): FunctionBody {
  return cellKernel(4, (f, { load, store }, at) => {
    const s = scratch(f);
    const [gf, gg, gi, go] = gates(f, s, load, 0, at, LSTM_GATES);
    const [c, dh, d] = [f.local(V128), f.local(V128), f.local(V128)];
    load(1, at(1, 0));
    f.set(c);
    f.get(gf.value).get(c).f32x4Mul().get(gg.value).get(gi.value).f32x4Mul().f32x4Add();
    const t = activate(f, s, 'tanh');
    load(2, at(1, 0));
    f.set(dh);
    // D = dc + dh·o·(1 - t²)
    load(3, at(1, 0));
    f.get(dh).get(go.value).f32x4Mul().get(t.slope).f32x4Mul().f32x4Add().set(d);
    store(at(4, 0), () => f.get(d).get(c).f32x4Mul().get(gf.slope).f32x4Mul());
    store(at(4, 1), () => f.get(d).get(gi.value).f32x4Mul().get(gg.slope).f32x4Mul());
    store(at(4, 2), () => f.get(d).get(gg.value).f32x4Mul().get(gi.slope).f32x4Mul());
    store(at(4, 3), () => f.get(dh).get(t.value).f32x4Mul().get(go.slope).f32x4Mul());
    store(at(1, 0, 4), () => f.get(d).get(gf.value).f32x4Mul());
  });
}

/** The GRU's gates of units j … j+3: r, z and n activated, and the recurrent share of n, hn. */
function gruGates(f: FunctionBody, s: Scratch, load: Lanes['load'], at: At) {
  const hn = f.local(V128);
  load(0, at(3, 0));
  load(1, at(3, 0));
  f.f32x4Add();
  const r = activate(f, s, 'sigmoid');
  load(0, at(3, 1));
  load(1, at(3, 1));
  f.f32x4Add();
  const z = activate(f, s, 'sigmoid');
  load(1, at(3, 2));
  f.set(hn);
  load(0, at(3, 2));
  f.get(r.value).get(hn).f32x4Mul().f32x4Add();
  const n = activate(f, s, 'tanh');
  return { r, z, n, hn };
}

/** `gruCell(xg, hg, h, out, n, size)`: out [N, H] = (1 - z)·n + z·h. */
function gruBody(): FunctionBody {
  return cellKernel(3, (f, { load, store }, at) => {
    const s = scratch(f);
    const { z, n } = gruGates(f, s, load, at);
    store(at(1, 0), () => {
      f.get(z.rest).get(n.value).f32x4Mul().get(z.value);
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
    f.get(dy).get(z.rest).f32x4Mul().get(n.slope).f32x4Mul().set(p);
    f.get(p).get(hn).f32x4Mul().get(r.slope).f32x4Mul().set(dr);
    f.get(dy);
    load(2, at(1, 0));
    f.get(n.value).f32x4Sub().f32x4Mul().get(z.slope).f32x4Mul().set(dz);
    for (const block of [0, 1]) {
      store(at(3, 0, block), () => f.get(dr));
      store(at(3, 1, block), () => f.get(dz));
    }
    store(at(3, 2), () => f.get(p));
    store(at(3, 2, 1), () => f.get(p).get(r.value).f32x4Mul());
    store(at(1, 0, 6), () => f.get(dy).get(z.value).f32x4Mul());
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
