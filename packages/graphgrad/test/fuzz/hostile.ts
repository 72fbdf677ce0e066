// fast-check arbitraries of arguments a public function may be handed: mostly plausible ones (small
// tensors, shapes, axes, numbers), mixed with hostile ones (wrong types, NaN, huge or negative
// sizes, disposed tensors, tensors of another backend, long strings, cyclic or deeply nested data).
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend, DType, Tensor } from '../../src/index.ts';

/** What a fuzzed call receives: a recipe, turned into values on a backend when the call runs. */
export type ArgRecipe =
  | {
      readonly kind: 'tensor';
      readonly shape: readonly number[];
      readonly dtype: DType;
      readonly values: readonly number[];
      readonly requiresGrad: boolean;
    }
  | { readonly kind: 'disposed-tensor'; readonly shape: readonly number[] }
  | { readonly kind: 'foreign-tensor'; readonly shape: readonly number[] }
  | { readonly kind: 'tensor-list'; readonly items: readonly ArgRecipe[] }
  | { readonly kind: 'value'; readonly value: unknown };

/** The kinds of argument slot a function declares. */
export type Slot =
  | 'tensor'
  | 'float-tensor'
  | 'int-tensor'
  | 'tensors'
  | 'number'
  | 'integer'
  | 'shape'
  | 'axis'
  | 'axes'
  | 'dtype'
  | 'options'
  | 'string'
  | 'bytes'
  | 'path'
  | 'any';

const LONG_STRING = 'x'.repeat(100_000);

/** Values no argument of any kind should be: each must be refused with a typed, bounded error. */
const NONSENSE: readonly unknown[] = [
  null,
  undefined,
  Number.NaN,
  Infinity,
  -Infinity,
  -0,
  2 ** 53,
  -(2 ** 40),
  1.5,
  '',
  '3',
  LONG_STRING,
  true,
  {},
  [],
  [[[]]],
  () => 1,
  Symbol('s'),
  10n,
  new Date(0),
  { shape: [2], dtype: 'float32' },
];

const nonsense = fc.constantFrom(...NONSENSE);

/** The folder fuzzed file functions read and write: a fresh temporary one, so a run touches nothing else. */
export const FUZZ_DIR = mkdtempSync(join(tmpdir(), 'graphgrad-fuzz-'));

/** A safetensors file: an 8-byte little-endian header length, the JSON header, the data. */
function safetensorsBytes(header: string, length: number, data: readonly number[]): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const HEADERS: readonly string[] = [
  '{}',
  '{"__metadata__":{"a":"b"}}',
  '{"__metadata__":{"a":1}}',
  '{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
  '{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}',
  '{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}',
  '{"x":{"dtype":"F32","shape":[1e308],"data_offsets":[0,4]}}',
  '{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}',
  '{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,99999999999]}}',
  '{"x":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}',
  '{"x":{"dtype":"F32"}}',
  '{"x":null}',
  '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
  '[1,2]',
  '"str"',
  '{"x":',
  `{"${'k'.repeat(5000)}":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`,
];

/** Bytes a decoder may be handed: noise, and safetensors files with honest, lying or hostile headers. */
const bytes: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 32 }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...HEADERS),
        fc.oneof(fc.constant(-1), fc.constantFrom(0, 1, 2 ** 40, 2 ** 63)),
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }),
      )
      .map(([header, length, data]) =>
        safetensorsBytes(header, length === -1 ? new TextEncoder().encode(header).length : length, data),
      ),
  },
  { weight: 1, arbitrary: anyValueOf() },
);

/** A path under FUZZ_DIR (a file, a missing one, a folder, an escape attempt), or not a path at all. */
const path: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom('a.safetensors', 'missing.safetensors', '', '.', '..', 'a\u0000b', 'no/such/dir/x', 'x'.repeat(300))
      .map((name) => join(FUZZ_DIR, name)),
  },
  { weight: 1, arbitrary: anyValueOf() },
);

function anyValueOf(): fc.Arbitrary<unknown> {
  return fc.oneof(nonsense, fc.integer({ min: -3, max: 3 }), fc.string({ maxLength: 8 }));
}

const dtype = fc.constantFrom<DType>('float32', 'float64', 'int32');
const smallShape = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 3 });

function tensorRecipe(dtypes: fc.Arbitrary<DType>): fc.Arbitrary<ArgRecipe> {
  return fc.tuple(smallShape, dtypes, fc.boolean()).chain(([shape, dt, requiresGrad]) => {
    const size = shape.reduce((n, d) => n * d, 1);
    const element =
      dt === 'int32'
        ? fc.integer({ min: -2, max: 5 })
        : fc.oneof(
            { weight: 8, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
            { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -0) },
          );
    return fc.array(element, { minLength: size, maxLength: size }).map((values): ArgRecipe => ({
      kind: 'tensor',
      shape,
      dtype: dt,
      values,
      requiresGrad: requiresGrad && dt !== 'int32',
    }));
  });
}

const badTensor: fc.Arbitrary<ArgRecipe> = fc.oneof(
  smallShape.map((shape): ArgRecipe => ({ kind: 'disposed-tensor', shape })),
  smallShape.map((shape): ArgRecipe => ({ kind: 'foreign-tensor', shape })),
  nonsense.map((value): ArgRecipe => ({ kind: 'value', value })),
  fc.array(fc.double({ noNaN: true }), { maxLength: 3 }).map((value): ArgRecipe => ({ kind: 'value', value })),
);

function mostly(good: fc.Arbitrary<ArgRecipe>, bad: fc.Arbitrary<ArgRecipe>): fc.Arbitrary<ArgRecipe> {
  return fc.oneof({ weight: 5, arbitrary: good }, { weight: 2, arbitrary: bad });
}

const value = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<ArgRecipe> =>
  arb.map((v): ArgRecipe => ({ kind: 'value', value: v }));

const anyValue = fc.oneof(nonsense, fc.integer({ min: -3, max: 3 }), fc.double(), fc.string({ maxLength: 8 }));

/** The recipe arbitrary of one slot kind. */
export function slotArbitrary(slot: Slot): fc.Arbitrary<ArgRecipe> {
  switch (slot) {
    case 'tensor':
      return mostly(tensorRecipe(dtype), badTensor);
    case 'float-tensor':
      return mostly(tensorRecipe(fc.constantFrom<DType>('float32', 'float64')), badTensor);
    case 'int-tensor':
      return mostly(tensorRecipe(fc.constant<DType>('int32')), badTensor);
    case 'tensors':
      return mostly(
        fc
          .array(mostly(tensorRecipe(fc.constant<DType>('float32')), badTensor), { maxLength: 3 })
          .map((items): ArgRecipe => ({ kind: 'tensor-list', items })),
        value(anyValue),
      );
    case 'number':
      return value(
        fc.oneof({ weight: 4, arbitrary: fc.double({ min: -5, max: 5 }) }, { weight: 2, arbitrary: anyValue }),
      );
    case 'integer':
      return value(
        fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -3, max: 4 }) }, { weight: 2, arbitrary: anyValue }),
      );
    case 'shape':
      return value(
        fc.oneof(
          { weight: 4, arbitrary: smallShape },
          { weight: 1, arbitrary: fc.array(fc.oneof(fc.integer({ min: -2, max: 3 }), anyValue), { maxLength: 4 }) },
          { weight: 1, arbitrary: fc.constantFrom([2 ** 31, 2 ** 31], [1e308], [-1], [2.5]) },
          { weight: 1, arbitrary: anyValue },
        ),
      );
    case 'axis':
      return value(
        fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -4, max: 4 }) }, { weight: 1, arbitrary: anyValue }),
      );
    case 'axes':
      return value(
        fc.oneof(
          { weight: 3, arbitrary: fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 3 }) },
          { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) },
          { weight: 1, arbitrary: anyValue },
        ),
      );
    case 'dtype':
      return value(fc.oneof({ weight: 3, arbitrary: dtype }, { weight: 1, arbitrary: anyValue }));
    case 'options':
      return value(
        fc.oneof(
          { weight: 2, arbitrary: fc.constant(undefined) },
          {
            weight: 3,
            arbitrary: fc.dictionary(
              fc.constantFrom(
                'axis',
                'dtype',
                'keepDims',
                'reduction',
                'seed',
                'shape',
                'requiresGrad',
                'lr',
                'transposeA',
                'ignoreIndex',
              ),
              anyValue,
              { maxKeys: 3 },
            ),
          },
          { weight: 1, arbitrary: anyValue },
        ),
      );
    case 'string':
      return value(fc.oneof(fc.string({ maxLength: 10 }), anyValue));
    case 'bytes':
      return value(bytes);
    case 'path':
      return value(path);
    case 'any':
      return value(anyValue);
  }
}

/** Turns recipes into values on `backend` (`other` holds the foreign tensors); returns them and every tensor made. */
export function materialize(
  recipes: readonly ArgRecipe[],
  backend: Backend,
  other: Backend,
  make: (
    values: readonly number[],
    shape: readonly number[],
    dtype: DType,
    requiresGrad: boolean,
    on: Backend,
  ) => Tensor,
): { args: unknown[]; tensors: Tensor[] } {
  const tensors: Tensor[] = [];
  const build = (r: ArgRecipe): unknown => {
    switch (r.kind) {
      case 'tensor': {
        const t = make(
          r.values,
          r.shape,
          backend.dtypes.includes(r.dtype) ? r.dtype : 'float32',
          r.requiresGrad,
          backend,
        );
        tensors.push(t);
        return t;
      }
      case 'disposed-tensor': {
        const size = r.shape.reduce((n, d) => n * d, 1);
        const t = make(new Array<number>(size).fill(1), r.shape, 'float32', false, backend);
        t.dispose();
        return t;
      }
      case 'foreign-tensor': {
        const size = r.shape.reduce((n, d) => n * d, 1);
        const t = make(new Array<number>(size).fill(1), r.shape, 'float32', false, other);
        tensors.push(t);
        return t;
      }
      case 'tensor-list':
        return r.items.map(build);
      case 'value':
        return r.value;
    }
  };
  return { args: recipes.map(build), tensors };
}
