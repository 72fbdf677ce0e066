import type { GraphSpec } from './graph-spec.ts';

/**
 * Shrunk random graphs that once failed a check, kept as regression cases that run every time on
 * both checks (gradients against central differences, WebGPU against the float64 CPU). When a run
 * fails, add the spec it prints here with what was wrong.
 *
 * Most cases below are the shrunk graphs that caught faults planted on purpose, one at a time, to
 * see that the checks catch them; each stays here as the smallest graph known to expose that fault
 * should it ever appear for real. The last ones are faults the random graphs found in graphgrad
 * itself.
 */
export const COUNTEREXAMPLES: readonly { readonly name: string; readonly spec: GraphSpec }[] = [
  {
    name: "softmax's backward summing dy·y without keepDims (the sum broadcast against the wrong axis)",
    spec: {
      steps: [
        { op: 'input', shape: [2, 1], values: [-1.1288803815841675, -0.8985194563865662] },
        { op: 'softmax', x: 0, axis: 1 },
        { op: 'unary', fn: 'neg', x: 0 },
      ],
      outputs: [
        { value: 1, weights: [0.8810598254203796, -0.5050627589225769] },
        { value: 2, weights: [-0.8776259422302246, -0.7990292310714722] },
      ],
    },
  },
  {
    name: "matmul's backward for b under transposeB with a's transpose flag inverted",
    spec: {
      steps: [
        { op: 'input', shape: [2], values: [-1.1288803815841675, -0.8985194563865662] },
        { op: 'reshape', x: 0, shape: [1, 2] },
        { op: 'matmul', a: 1, b: 1, transposeA: false, transposeB: true },
      ],
      outputs: [{ value: 2, weights: [-0.2979622483253479] }],
    },
  },
  {
    name: 'the WebGPU Tanh kernel off by 1%',
    spec: {
      steps: [
        { op: 'input', shape: [], values: [-1.1288803815841675] },
        { op: 'unary', fn: 'tanh', x: 0 },
        { op: 'unary', fn: 'neg', x: 0 },
      ],
      outputs: [
        { value: 1, weights: [-0.4492597281932831] },
        { value: 2, weights: [0.8810598254203796] },
      ],
    },
  },
  {
    name: 'WebGPU elementwise kernels merging axes that only the first operand walks contiguously (a broadcast operand read wrongly)',
    spec: {
      steps: [
        { op: 'input', shape: [2], values: [-1.1288803815841675, -0.8985194563865662] },
        { op: 'broadcastTo', x: 0, shape: [2, 2] },
        { op: 'binary', fn: 'mul', a: 0, b: 1 },
        { op: 'unary', fn: 'neg', x: 0 },
      ],
      outputs: [
        { value: 2, weights: [0.8810598254203796, -0.5050627589225769, -0.8776259422302246, -0.7990292310714722] },
        { value: 3, weights: [0.6905936598777771, -0.7886355519294739] },
      ],
    },
  },
  {
    // Found, not planted: matmul's backward folded a's batch into rows with reshape(a, [-1, K]),
    // which is ambiguous for K = 0 (it gave [0, 0] rows where [3, 0] were meant).
    name: "matmul's backward for a 2-D b shared by a batch [3, 1, 0] with an inner axis of length 0",
    spec: {
      steps: [
        { op: 'input', shape: [0], values: [] },
        { op: 'input', shape: [], values: [-1.1288803815841675] },
        { op: 'reshape', x: 0, shape: [3, 1, 0] },
        { op: 'matmul', a: 2, b: 0, transposeA: false, transposeB: false },
        { op: 'unary', fn: 'neg', x: 0 },
      ],
      outputs: [
        { value: 1, weights: [0.8810598254203796] },
        { value: 3, weights: [-0.5050627589225769, -0.8776259422302246, -0.7990292310714722] },
        { value: 4, weights: [] },
      ],
    },
  },
];
