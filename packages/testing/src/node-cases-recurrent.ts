// The node cases of the recurrent cells' fused nodes: lstmCell and gruCell, and their backward nodes
// (whose gradients are second derivatives), on a batch of 3 with 5 units.
import { concat, gruCell, GRUCellGradNode, lstmCell, LSTMCellGradNode } from '@graphgrad/nodes';
import type { NodeCase } from './node-cases.ts';

const [N, H] = [3, 5];

export const RECURRENT_NODE_CASES: readonly NodeCase[] = [
  {
    kind: 'LSTMCell',
    name: 'h′ and c′ of a batch of 3, 5 units',
    floats: [
      { shape: [N, 4 * H], values: 'normal' },
      { shape: [N, H], values: 'normal' },
    ],
    fn: ([gates, c]) => concat(lstmCell(gates, c), 1),
  },
  {
    kind: 'LSTMCellGrad',
    name: 'the gradients of the gates and of c',
    floats: [
      { shape: [N, 4 * H], values: 'normal' },
      { shape: [N, H], values: 'normal' },
      { shape: [N, H], values: 'normal' },
      { shape: [N, H], values: 'normal' },
    ],
    fn: (xs) => concat(LSTMCellGradNode.applyMany(xs), 1),
  },
  {
    kind: 'GRUCell',
    name: 'h′ of a batch of 3, 5 units',
    floats: [
      { shape: [N, 3 * H], values: 'normal' },
      { shape: [N, 3 * H], values: 'normal' },
      { shape: [N, H], values: 'normal' },
    ],
    fn: ([xg, hg, h]) => gruCell(xg, hg, h),
  },
  {
    kind: 'GRUCellGrad',
    name: 'the gradients of both shares and of h',
    floats: [
      { shape: [N, 3 * H], values: 'normal' },
      { shape: [N, 3 * H], values: 'normal' },
      { shape: [N, H], values: 'normal' },
      { shape: [N, H], values: 'normal' },
    ],
    fn: (xs) => concat(GRUCellGradNode.applyMany(xs), 1),
  },
];
