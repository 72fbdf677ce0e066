// The public functions the fuzzer calls, each with the kinds of its argument slots. A meta test
// (fuzz.test.ts) requires every function `graphgrad` exports to be here or in NOT_FUZZED with the
// reason, so a new export is fuzzed from its first day.
import * as api from '../../src/index.ts';
import type { Slot } from './hostile.ts';

/** One fuzzed function. */
export interface FuzzEntry {
  /** The export's name (also the test's title). */
  readonly name: string;
  /** The kinds of its arguments, in order. */
  readonly slots: readonly Slot[];
  /** How to call it (default: the export itself with the arguments). */
  readonly call?: (args: unknown[]) => unknown;
  /** A total function (a predicate, a formatter): it must answer every argument and never throw. */
  readonly total?: boolean;
}

type AnyFunction = (...args: unknown[]) => unknown;
const exported = api as unknown as Record<string, AnyFunction>;

const fn = (name: string, ...slots: Slot[]): FuzzEntry => ({ name, slots, call: (args) => exported[name](...args) });

/** A unary op on a tensor, with an optional options argument. */
const unary = (name: string, ...rest: Slot[]): FuzzEntry => fn(name, 'tensor', ...rest);
const binary = (name: string, ...rest: Slot[]): FuzzEntry => fn(name, 'tensor', 'tensor', ...rest);
/** A function that takes the caller's own name for messages first: the fuzzer names itself. */
const labelled = (name: string, ...slots: Slot[]): FuzzEntry => ({
  name,
  slots,
  call: (args) => exported[name]('fuzz', ...args),
});
const total = (name: string, ...slots: Slot[]): FuzzEntry => ({ ...fn(name, ...slots), total: true });

/** A list of numbers as an Int32Array (the datasets' corpora and ids); anything else as it is. */
const int32 = (v: unknown): unknown =>
  Array.isArray(v) && v.every((x) => typeof x === 'number') ? Int32Array.from(v) : v;

// A small vocabulary and word vectors, for the word-similarity helpers.
const words = api.preprocess('you say goodbye and i say hello.');
const wordMatrix = api.ppmi(api.createCoMatrix(words.corpus, words.idToWord.length, 1));

export const FUZZ_ENTRIES: readonly FuzzEntry[] = [
  // creation
  fn('tensor', 'any', 'options'),
  fn('zeros', 'shape', 'options'),
  fn('ones', 'shape', 'options'),
  fn('full', 'shape', 'number', 'options'),
  fn('zerosLike', 'tensor', 'options'),
  fn('onesLike', 'tensor', 'options'),
  fn('fullLike', 'tensor', 'number', 'options'),
  fn('rand', 'shape', 'options'),
  fn('randn', 'shape', 'options'),
  fn('randint', 'integer', 'integer', 'shape', 'options'),
  // elementwise
  binary('add'),
  binary('sub'),
  binary('mul'),
  binary('div'),
  binary('maximum'),
  binary('minimum'),
  binary('pow'),
  binary('greater'),
  binary('greaterEqual'),
  binary('less'),
  binary('lessEqual'),
  binary('equal'),
  binary('notEqual'),
  fn('where', 'tensor', 'tensor', 'tensor'),
  unary('neg'),
  unary('exp'),
  unary('log'),
  unary('log1p'),
  unary('sqrt'),
  unary('abs'),
  unary('square'),
  unary('sigmoid'),
  unary('tanh'),
  unary('relu'),
  unary('leakyRelu', 'number'),
  unary('gelu', 'options'),
  unary('erf'),
  unary('softplus', 'options'),
  unary('logSigmoid'),
  fn('clamp', 'tensor', 'number', 'number'),
  fn('cast', 'tensor', 'dtype'),
  // reductions
  unary('sum', 'axes', 'any'),
  unary('mean', 'axes', 'any'),
  unary('max', 'axes', 'any'),
  unary('min', 'axes', 'any'),
  unary('logsumexp', 'axes', 'any'),
  unary('variance', 'axes', 'options'),
  unary('std', 'axes', 'options'),
  unary('norm', 'any', 'axes', 'any'),
  unary('argmax', 'axis'),
  unary('cumsum', 'axis'),
  unary('softmax', 'axis'),
  unary('logSoftmax', 'axis'),
  // shapes and indexing
  fn('reshape', 'tensor', 'shape'),
  fn('transpose', 'tensor', 'any', 'any'),
  fn('permute', 'tensor', 'axes'),
  fn('broadcastTo', 'tensor', 'shape'),
  fn('sumTo', 'tensor', 'shape'),
  fn('repeat', 'tensor', 'axis', 'integer'),
  fn('squeeze', 'tensor', 'axes'),
  fn('unsqueeze', 'tensor', 'axis'),
  fn('flatten', 'tensor', 'axis', 'axis'),
  fn('slice', 'tensor', 'any'),
  fn('concat', 'tensors', 'axis'),
  fn('stack', 'tensors', 'axis'),
  fn('split', 'tensor', 'any', 'axis'),
  fn('unbind', 'tensor', 'axis'),
  fn('branch', 'tensor', 'integer'),
  fn('gather', 'tensor', 'int-tensor', 'axis'),
  fn('embedding', 'tensor', 'int-tensor'),
  fn('oneHot', 'int-tensor', 'integer', 'dtype'),
  fn('indexAdd', 'tensor', 'axis', 'int-tensor', 'tensor'),
  fn('matmul', 'tensor', 'tensor', 'options'),
  // losses
  fn('softmaxWithLoss', 'tensor', 'tensor'),
  fn('crossEntropy', 'tensor', 'tensor', 'options'),
  fn('binaryCrossEntropyWithLogits', 'tensor', 'tensor', 'options'),
  fn('mseLoss', 'tensor', 'tensor', 'options'),
  // randomness
  fn('dropout', 'tensor', 'number', 'options'),
  fn('bernoulli', 'tensor', 'options'),
  fn('multinomial', 'tensor', 'integer', 'options'),
  // tensor helpers
  fn('segmentSum', 'float-tensor', 'int-tensor', 'integer', 'axis'),
  fn('lstmCell', 'tensor', 'tensor'),
  fn('gruCell', 'tensor', 'tensor', 'tensor'),
  fn('scalarLike', 'number', 'tensor', 'dtype'),
  fn('gradsOf', 'tensors'),
  fn('clipGrads', 'tensors', 'number'),
  fn('allocTypedArray', 'dtype', 'integer'),
  fn('dtypeOfTypedArray', 'any'),
  fn('gradCheck', 'any', 'tensors', 'options'),
  fn('assertGradCheck', 'any', 'tensors', 'options'),
  fn('defineNode', 'options'),
  // shapes
  fn('sizeOf', 'shape'),
  fn('formatShape', 'shape'),
  fn('shapesEqual', 'shape', 'shape'),
  fn('contiguousStrides', 'shape'),
  fn('reshapeStrides', 'shape', 'shape', 'shape'),
  fn('broadcastsTo', 'shape', 'shape'),
  fn('broadcastable', 'shape', 'shape'),
  fn('reducedShape', 'shape', 'axes', 'any'),
  fn('broadcastAxes', 'shape', 'shape'),
  labelled('broadcastShapes', 'shape', 'shape'),
  labelled('checkShape', 'shape'),
  labelled('normalizeAxis', 'axis', 'integer'),
  labelled('normalizeAxes', 'axes', 'integer'),
  // predicates and formatting: total
  total('isTensor', 'any'),
  total('isDType', 'any'),
  total('isFloatDType', 'any'),
  fn('describeValue', 'any', 'integer'),
  // scopes, grad mode, randomness, the tape observer and the default backend
  fn('tidy', 'any'),
  fn('keep', 'any'),
  fn('noGrad', 'any'),
  fn('withGradMode', 'any', 'any'),
  fn('detectAnomaly', 'any'),
  fn('manualSeed', 'number'),
  fn('generatorFor', 'any'),
  fn('setBackend', 'any'),
  {
    name: 'observeTape',
    slots: ['any'],
    // Whatever it accepts is undone at once, so the observer of later calls is the one before.
    call: (args) => api.observeTape(api.observeTape(args[0] as never)),
  },
  // datasets
  fn('preprocess', 'string'),
  fn('ptbWords', 'string'),
  fn('parseSequence', 'string', 'options'),
  fn('generateAddition', 'integer', 'options'),
  fn('generateDates', 'integer', 'options'),
  fn('loadSpiral', 'options'),
  {
    name: 'createContextsTarget',
    slots: ['shape', 'integer'],
    call: ([c, w]) => api.createContextsTarget(int32(c) as Int32Array, w as number),
  },
  {
    name: 'createCoMatrix',
    slots: ['shape', 'integer', 'integer'],
    call: ([c, v, w]) => api.createCoMatrix(int32(c) as Int32Array, v as number, w as number),
  },
  {
    name: 'convertOneHot',
    slots: ['shape', 'integer'],
    call: ([c, v]) => api.convertOneHot(int32(c) as Int32Array, v as number),
  },
  fn('ppmi', 'options', 'number'),
  fn('cosSimilarity', 'shape', 'shape', 'number'),
  {
    name: 'mostSimilar',
    slots: ['string', 'integer'],
    call: ([q, top]) => api.mostSimilar(q as string, words.wordToId, words.idToWord, wordMatrix, top as number),
  },
  {
    name: 'analogy',
    slots: ['string', 'string', 'string', 'integer'],
    call: ([a, b, c, top]) =>
      api.analogy(a as string, b as string, c as string, words.wordToId, words.idToWord, wordMatrix, top as number),
  },
  {
    name: 'loadPtb',
    slots: ['any', 'path'],
    call: ([splits, dir]) => api.loadPtb(splits as never, { dir: dir as string }),
  },
  {
    name: 'loadSequence',
    slots: ['any', 'path'],
    call: ([name, dir]) => api.loadSequence(name as never, { dir: dir as string }),
  },
  // files and safetensors
  fn('encodeSafetensors', 'tensors', 'options'),
  fn('decodeSafetensors', 'bytes', 'options'),
  fn('decodeStateDict', 'bytes', 'options'),
  fn('safetensorsMetadata', 'bytes'),
  fn('save', 'tensors', 'path', 'options'),
  fn('load', 'path', 'options'),
  fn('loadInto', 'tensors', 'path', 'options'),
  fn('loadTensors', 'tensors', 'tensors', 'options'),
  fn('fromPyTorch', 'any', 'tensors'),
  // training reports
  fn('lossCurveSpec', 'shape', 'number'),
  fn('formatIntervalLine', 'options'),
  fn('lineProgress', 'any'),
  fn('renderSvg', 'options'),
  { name: 'saveFile', slots: ['path', 'string'], call: ([p, text]) => api.saveFile(p as string, text as string) },
];

/** Exported functions the fuzzer does not call, and why. */
export const NOT_FUZZED: Readonly<Record<string, string>> = {
  cpuBackend: 'takes no arguments: makes a CPU backend',
  defaultProgress: 'takes no arguments: makes the terminal progress reporter',
  checkAnomalies: 'takes no arguments: awaits the anomaly checks already queued',
  getBackend: 'takes no arguments: returns the default backend',
  isGradEnabled: 'takes no arguments: reads the grad mode',
  tapeObserver: 'takes no arguments: returns the tape observer',
};
