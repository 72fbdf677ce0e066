/**
 * A minimal WebAssembly binary encoder: just the sections, value types and instructions the CPU
 * backend's SIMD kernels use. The kernels are emitted as bytes at run time and compiled with
 * `new WebAssembly.Module`, so the backend needs no build step and no file to fetch, and runs the
 * same in Node.js and in a browser.
 */

/** Value types. */
export const I32 = 0x7f;
/** The 32-bit float value type. */
export const F32 = 0x7d;
/** The 128-bit SIMD value type. */
export const V128 = 0x7b;

type ValType = typeof I32 | typeof F32 | typeof V128;

function uleb(n: number, out: number[]): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

const f32Bytes = (v: number): number[] => Array.from(new Uint8Array(new Float32Array([v]).buffer));

// SIMD opcodes (after the 0xfd prefix), from the WebAssembly SIMD proposal's binary encoding.
const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  f32x4Splat: 0x13,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  f32x4Ge: 0x46,
  and: 0x4e,
  andNot: 0x4f,
  bitselect: 0x52,
  f32x4Nearest: 0x6a,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  i32x4Splat: 0x11,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  f32x4Pmax: 0xeb,
  v128Const: 0x0c,
  or: 0x50,
  i32x4TruncSatF32x4S: 0xf8,
  i8x16Shuffle: 0x0d,
  f32x4ExtractLane: 0x1f,
  f32x4Ne: 0x42,
  f32x4RelaxedMadd: 0x105,
} as const;

/** The instructions of one function body, appended by method calls in stack-machine order. */
export class FunctionBody {
  readonly params: readonly ValType[];
  readonly #locals: ValType[] = [];
  readonly #code: number[] = [];

  constructor(params: readonly ValType[]) {
    this.params = params;
  }

  /** Declares a local of `type` and returns its index. */
  local(type: ValType): number {
    this.#locals.push(type);
    return this.params.length + this.#locals.length - 1;
  }

  get(i: number): this {
    this.#code.push(0x20);
    uleb(i, this.#code);
    return this;
  }
  set(i: number): this {
    this.#code.push(0x21);
    uleb(i, this.#code);
    return this;
  }
  i32(v: number): this {
    this.#code.push(0x41);
    sleb(v, this.#code);
    return this;
  }
  i32Add(): this {
    this.#code.push(0x6a);
    return this;
  }
  i32Sub(): this {
    this.#code.push(0x6b);
    return this;
  }
  i32Mul(): this {
    this.#code.push(0x6c);
    return this;
  }
  i32Eqz(): this {
    this.#code.push(0x45);
    return this;
  }
  i32LtU(): this {
    this.#code.push(0x49);
    return this;
  }
  i32And(): this {
    this.#code.push(0x71);
    return this;
  }
  i32Eq(): this {
    this.#code.push(0x46);
    return this;
  }
  i32Ne(): this {
    this.#code.push(0x47);
    return this;
  }
  i32GtU(): this {
    this.#code.push(0x4b);
    return this;
  }
  i32LeU(): this {
    this.#code.push(0x4d);
    return this;
  }
  i32Or(): this {
    this.#code.push(0x72);
    return this;
  }
  i32Shl(): this {
    this.#code.push(0x74);
    return this;
  }
  /** `local.tee`: sets local `i` and leaves the value on the stack. */
  tee(i: number): this {
    this.#code.push(0x22);
    uleb(i, this.#code);
    return this;
  }
  /** Calls the module's function `index` (its position in the list given to `encodeModule`). */
  call(index: number): this {
    this.#code.push(0x10);
    uleb(index, this.#code);
    return this;
  }
  /** `memory.fill` of (address, byte value, length) on the stack (bulk memory operations). */
  memoryFill(): this {
    this.#code.push(0xfc, 0x0b, 0x00);
    return this;
  }
  /** `if` … `else` … `end` on the i32 condition on the stack, leaving nothing. */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.#code.push(0x04, 0x40);
    then();
    if (otherwise !== undefined) {
      this.#code.push(0x05);
      otherwise();
    }
    this.#code.push(0x0b);
    return this;
  }
  /** f32.load from (address on the stack) + `offset` bytes. */
  f32Load(offset = 0): this {
    this.#code.push(0x2a, 2);
    uleb(offset, this.#code);
    return this;
  }
  /** f32.store of the top value at (address below it) + `offset` bytes. */
  f32Store(offset = 0): this {
    this.#code.push(0x38, 2);
    uleb(offset, this.#code);
    return this;
  }
  f32Add(): this {
    this.#code.push(0x92);
    return this;
  }
  f32Sub(): this {
    this.#code.push(0x93);
    return this;
  }
  f32Mul(): this {
    this.#code.push(0x94);
    return this;
  }
  f32Div(): this {
    this.#code.push(0x95);
    return this;
  }
  /** f32.max: NaN if either operand is NaN. */
  f32Max(): this {
    this.#code.push(0x97);
    return this;
  }
  f32Ne(): this {
    this.#code.push(0x5c);
    return this;
  }
  f32(v: number): this {
    this.#code.push(0x43, ...f32Bytes(v));
    return this;
  }
  /** `select`: (a, b, cond) → cond ? a : b. */
  select(): this {
    this.#code.push(0x1b);
    return this;
  }
  /** `if (result f32)` on the i32 condition on the stack: `then` or `otherwise` leaves one f32. */
  ifElseF32(then: () => void, otherwise: () => void): this {
    this.#code.push(0x04, 0x7d);
    then();
    this.#code.push(0x05);
    otherwise();
    this.#code.push(0x0b);
    return this;
  }
  i32GeU(): this {
    this.#code.push(0x4f);
    return this;
  }
  /** `block` … `end` around `body`, whose branch depth 0 leaves the block. */
  block(body: () => void): this {
    this.#code.push(0x02, 0x40);
    body();
    this.#code.push(0x0b);
    return this;
  }
  /** `loop` … `end` around `body`, whose branch depth 0 repeats the loop. */
  loop(body: () => void): this {
    this.#code.push(0x03, 0x40);
    body();
    this.#code.push(0x0b);
    return this;
  }
  br(depth: number): this {
    this.#code.push(0x0c);
    uleb(depth, this.#code);
    return this;
  }
  brIf(depth: number): this {
    this.#code.push(0x0d);
    uleb(depth, this.#code);
    return this;
  }
  #simd(op: number): this {
    this.#code.push(0xfd);
    uleb(op, this.#code);
    return this;
  }
  #memarg(align: number, offset: number): this {
    uleb(align, this.#code);
    uleb(offset, this.#code);
    return this;
  }
  /** v128.load from (address on the stack) + `offset` bytes. */
  v128Load(offset = 0): this {
    return this.#simd(SIMD.load).#memarg(4, offset);
  }
  /** One float32 at (address) + `offset`, copied to all four lanes. */
  f32Splat4Load(offset = 0): this {
    return this.#simd(SIMD.load32Splat).#memarg(2, offset);
  }
  /** v128.store of the top value at (address below it) + `offset` bytes. */
  v128Store(offset = 0): this {
    return this.#simd(SIMD.store).#memarg(4, offset);
  }
  /** A float32 constant in all four lanes. */
  f32x4Const(v: number): this {
    this.#code.push(0x43, ...f32Bytes(v));
    return this.#simd(SIMD.f32x4Splat);
  }
  /** A float32 constant in all four lanes, as one v128.const. */
  v128ConstF32(v: number): this {
    this.#simd(SIMD.v128Const);
    const b = f32Bytes(v);
    this.#code.push(...b, ...b, ...b, ...b);
    return this;
  }
  /** An int32 constant in all four lanes. */
  i32x4Const(v: number): this {
    this.i32(v);
    return this.#simd(SIMD.i32x4Splat);
  }
  f32x4Add(): this {
    return this.#simd(SIMD.f32x4Add);
  }
  f32x4Sub(): this {
    return this.#simd(SIMD.f32x4Sub);
  }
  f32x4Mul(): this {
    return this.#simd(SIMD.f32x4Mul);
  }
  f32x4Div(): this {
    return this.#simd(SIMD.f32x4Div);
  }
  f32x4Max(): this {
    return this.#simd(SIMD.f32x4Max);
  }
  /** Lane-wise minimum, NaN if either lane is NaN. */
  f32x4Min(): this {
    return this.#simd(SIMD.f32x4Min);
  }
  /** b < a ? … : lane-wise (a < b ? b : a), one maxps; a NaN in a is kept, one in b is not. */
  f32x4Pmax(): this {
    return this.#simd(SIMD.f32x4Pmax);
  }
  v128Or(): this {
    return this.#simd(SIMD.or);
  }
  f32x4Abs(): this {
    return this.#simd(SIMD.f32x4Abs);
  }
  f32x4Neg(): this {
    return this.#simd(SIMD.f32x4Neg);
  }
  f32x4Nearest(): this {
    return this.#simd(SIMD.f32x4Nearest);
  }
  f32x4Lt(): this {
    return this.#simd(SIMD.f32x4Lt);
  }
  f32x4Gt(): this {
    return this.#simd(SIMD.f32x4Gt);
  }
  f32x4Ge(): this {
    return this.#simd(SIMD.f32x4Ge);
  }
  v128And(): this {
    return this.#simd(SIMD.and);
  }
  /** a & ~b for (a, b) on the stack. */
  v128AndNot(): this {
    return this.#simd(SIMD.andNot);
  }
  /** (a & mask) | (b & ~mask) for (a, b, mask) on the stack. */
  v128Bitselect(): this {
    return this.#simd(SIMD.bitselect);
  }
  i32x4Add(): this {
    return this.#simd(SIMD.i32x4Add);
  }
  /** Shifts each int32 lane left by the i32 on top of the stack. */
  i32x4Shl(): this {
    return this.#simd(SIMD.i32x4Shl);
  }
  i32x4TruncSatF32x4S(): this {
    return this.#simd(SIMD.i32x4TruncSatF32x4S);
  }
  /**
   * `i8x16.shuffle` of (a, b) on the stack, given as float lanes: lane i of the result is float
   * `lanes[i]` of the eight floats of a then b.
   */
  f32x4Shuffle(lanes: readonly [number, number, number, number]): this {
    this.#simd(SIMD.i8x16Shuffle);
    for (const lane of lanes) this.#code.push(lane * 4, lane * 4 + 1, lane * 4 + 2, lane * 4 + 3);
    return this;
  }
  /** The f32 on top of the stack copied to all four lanes. */
  f32x4Splat(): this {
    return this.#simd(SIMD.f32x4Splat);
  }
  /** Lane `lane` of the vector on top of the stack, as an f32. */
  f32x4ExtractLane(lane: number): this {
    this.#simd(SIMD.f32x4ExtractLane);
    this.#code.push(lane);
    return this;
  }
  /** All-ones lanes where a ≠ b (NaN included). */
  f32x4Ne(): this {
    return this.#simd(SIMD.f32x4Ne);
  }
  /**
   * `f32x4.relaxed_madd` of (a, b, c) on the stack: a·b + c, fused or not as the hardware does it
   * (the relaxed SIMD proposal); validate a module using it before relying on it.
   */
  f32x4RelaxedMadd(): this {
    return this.#simd(SIMD.f32x4RelaxedMadd);
  }

  /** The body's bytes: locals (one entry each) followed by the code and `end`. */
  encode(): number[] {
    const out: number[] = [];
    uleb(this.#locals.length, out);
    for (const t of this.#locals) out.push(1, t);
    out.push(...this.#code, 0x0b);
    const sized: number[] = [];
    uleb(out.length, sized);
    return [...sized, ...out];
  }
}

/** A function of the module: its name and body (its type is `(params) -> ()`), and whether it is exported. */
export interface ModuleFunction {
  readonly name: string;
  readonly body: FunctionBody;
  /** Exported under `name` (the default); an internal one is only reached by `call`. */
  readonly exported?: boolean;
}

/** The memory a module imports as `env.memory`. */
interface MemoryImport {
  /** Pages (64 KiB) the memory has at least. */
  readonly minPages: number;
  /** Pages it may grow to (required when shared). */
  readonly maxPages?: number;
  /** A shared memory, which worker threads can use at the same time. */
  readonly shared: boolean;
}

function section(id: number, content: number[]): number[] {
  const out = [id];
  uleb(content.length, out);
  return [...out, ...content];
}

function vector(items: number[][]): number[] {
  const out: number[] = [];
  uleb(items.length, out);
  for (const item of items) out.push(...item);
  return out;
}

function name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  const out: number[] = [];
  uleb(bytes.length, out);
  return [...out, ...bytes];
}

/**
 * The bytes of a module that imports one memory (`env.memory`, see {@link MemoryImport}) and holds
 * `functions` in order (function `i` is `call(i)`), each of its own type `(params) -> ()`, exporting
 * those marked so.
 */
export function encodeModule(functions: readonly ModuleFunction[], memory: MemoryImport): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => {
    const t = [0x60];
    uleb(f.body.params.length, t);
    return [...t, ...f.body.params, 0];
  });
  const funcs = functions.map((_, i) => {
    const t: number[] = [];
    uleb(i, t);
    return t;
  });
  // limits: flags (bit 0: a maximum follows; bit 1: shared), the minimum, the maximum
  const limits: number[] = [memory.maxPages === undefined ? 0x00 : memory.shared ? 0x03 : 0x01];
  uleb(memory.minPages, limits);
  if (memory.maxPages !== undefined) uleb(memory.maxPages, limits);
  const imports = [[...name('env'), ...name('memory'), 0x02, ...limits]];
  const exports = functions.flatMap((f, i) => {
    if (f.exported === false) return [];
    const e = [...name(f.name), 0x00];
    uleb(i, e);
    return [e];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(types)),
    ...section(2, vector(imports)),
    ...section(3, vector(funcs)),
    ...section(7, vector(exports)),
    ...section(10, vector(functions.map((f) => f.body.encode()))),
  ]);
}
