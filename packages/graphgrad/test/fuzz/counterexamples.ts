// Arguments the fuzzer once found mishandled, kept so each stays fixed: the function, the recipes of
// its arguments (hostile.ts), and what went wrong before the fix.
import type { ArgRecipe } from './hostile.ts';

/** One kept counterexample. */
export interface Counterexample {
  /** The FUZZ_ENTRIES name it calls. */
  readonly entry: string;
  /** What went wrong before the fix. */
  readonly why: string;
  readonly recipes: readonly ArgRecipe[];
}

export const COUNTEREXAMPLES: readonly Counterexample[] = [
  {
    entry: 'argmax',
    why: 'a null x was read as a tensor (TypeError reading rank)',
    recipes: [
      { kind: 'value', value: null },
      { kind: 'value', value: 0 },
    ],
  },
  {
    entry: 'branch',
    why: 'a count of 1.4e15 copies reached Array.from (RangeError)',
    recipes: [
      { kind: 'tensor', shape: [], dtype: 'float32', values: [0], requiresGrad: false },
      { kind: 'value', value: 1416071984094450 },
    ],
  },
  {
    entry: 'broadcastTo',
    why: 'a number as the shape was iterated (TypeError)',
    recipes: [
      { kind: 'foreign-tensor', shape: [] },
      { kind: 'value', value: 0 },
    ],
  },
  {
    entry: 'cast',
    why: 'an array as x was read as a tensor (TypeError reading dtypes)',
    recipes: [
      { kind: 'value', value: [] },
      { kind: 'value', value: 'float32' },
    ],
  },
  {
    entry: 'dropout',
    why: 'an object as p was quoted as [object Object]',
    recipes: [
      { kind: 'disposed-tensor', shape: [] },
      { kind: 'value', value: { shape: [2], dtype: 'float32' } },
      { kind: 'value', value: undefined },
    ],
  },
  {
    entry: 'gather',
    why: 'null indices were read as a tensor (TypeError reading dtype)',
    recipes: [
      { kind: 'value', value: [] },
      { kind: 'value', value: null },
      { kind: 'value', value: 0 },
    ],
  },
  {
    entry: 'indexAdd',
    why: 'null indices were read as a tensor (TypeError reading dtype)',
    recipes: [
      { kind: 'foreign-tensor', shape: [] },
      { kind: 'value', value: 0 },
      { kind: 'value', value: null },
      { kind: 'tensor', shape: [], dtype: 'float32', values: [0], requiresGrad: false },
    ],
  },
  {
    entry: 'oneHot',
    why: 'a null dtype reached the WebGPU kernel (TypeError: VIEWS[dtype])',
    recipes: [
      { kind: 'tensor', shape: [0], dtype: 'int32', values: [], requiresGrad: false },
      { kind: 'value', value: 1 },
      { kind: 'value', value: null },
    ],
  },
  {
    entry: 'repeat',
    why: 'a string of 100000 characters as times was quoted whole',
    recipes: [
      { kind: 'disposed-tensor', shape: [] },
      { kind: 'value', value: 0 },
      { kind: 'value', value: 'x'.repeat(100_000) },
    ],
  },
  {
    entry: 'reshape',
    why: 'a null x was read as a tensor (TypeError reading size)',
    recipes: [
      { kind: 'value', value: null },
      { kind: 'value', value: [] },
    ],
  },
  {
    entry: 'sumTo',
    why: 'an array as x was read as a tensor (TypeError reading length)',
    recipes: [
      { kind: 'value', value: [] },
      { kind: 'value', value: [] },
    ],
  },
  {
    entry: 'transpose',
    why: 'a BigInt axis was quoted with JSON.stringify (TypeError)',
    recipes: [
      { kind: 'tensor', shape: [], dtype: 'float32', values: [0], requiresGrad: false },
      { kind: 'value', value: 10n },
      { kind: 'value', value: '' },
    ],
  },
  {
    entry: 'generateDates',
    why: 'a count of 1.8e308 (an integer) ran until memory ran out',
    recipes: [
      { kind: 'value', value: 1.7976931348623127e308 },
      { kind: 'value', value: undefined },
    ],
  },
  {
    entry: 'clipGrads',
    why: 'null as the list of gradients (TypeError reading filter); an object as maxNorm quoted as [object Object]',
    recipes: [
      { kind: 'value', value: null },
      { kind: 'value', value: 5e-324 },
    ],
  },
  {
    entry: 'lossCurveSpec',
    why: 'a string as the loss list (TypeError: lossList.map is not a function)',
    recipes: [
      { kind: 'value', value: '' },
      { kind: 'value', value: 0 },
    ],
  },
  {
    entry: 'formatIntervalLine',
    why: 'no report (TypeError destructuring undefined)',
    recipes: [{ kind: 'value', value: undefined }],
  },
];
