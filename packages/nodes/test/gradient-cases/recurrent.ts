// The gradient cases of the recurrent cells' fused nodes: lstmCell and gruCell (whose rules are the
// fused backward nodes), and those backward nodes themselves (whose rules are the second
// derivatives, written in nodes), over batches of 1–3 and widths of 1–3.
import fc from 'fast-check';
import { arbitraries } from '@graphgrad/core/testing';
import type { Tensor } from '@graphgrad/core';
import { concat, gruCell, GRUCellGradNode, lstmCell, LSTMCellGradNode } from '../../src/index.ts';
import { instance, show, type GradientCase } from './support.ts';

// pre-activations over the gates' curved range, where every derivative is far from 0
const GATES = { min: -2.5, max: 2.5 };
const STATE = { min: -1.5, max: 1.5 };

/** [N, H] of a cell: a batch and a width of 1 to 3. */
const sizes = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }));

/** Float64 tensors of `shapes`, each drawn from its range. */
const tensors = (shapes: readonly (readonly number[])[], ranges: readonly { min: number; max: number }[]) =>
  fc.tuple(...shapes.map((s, i) => arbitraries.tensorOf(s, ranges[i])));

export const RECURRENT_CASES: readonly GradientCase[] = [
  {
    name: 'lstmCell',
    node: 'LSTMCellNode',
    instance: sizes
      .chain(([n, h]) =>
        tensors(
          [
            [n, 4 * h],
            [n, h],
          ],
          [GATES, STATE],
        ),
      )
      .map(([gates, c]) =>
        instance(`lstmCell ${show(gates.shape)} ${show(c.shape)}`, (a, b) => concat(lstmCell(a, b), 1), [gates, c]),
      ),
  },
  {
    name: 'lstmCell backward (the second derivative)',
    node: 'LSTMCellGradNode',
    instance: sizes
      .chain(([n, h]) =>
        tensors(
          [
            [n, 4 * h],
            [n, h],
            [n, h],
            [n, h],
          ],
          [GATES, STATE, STATE, STATE],
        ),
      )
      .map(([gates, c, dh, dc]) =>
        instance(
          `lstmCell backward ${show(gates.shape)}`,
          (...xs: Tensor[]) => concat(LSTMCellGradNode.applyMany(xs), 1),
          [gates, c, dh, dc],
        ),
      ),
  },
  {
    name: 'gruCell',
    node: 'GRUCellNode',
    instance: sizes
      .chain(([n, h]) =>
        tensors(
          [
            [n, 3 * h],
            [n, 3 * h],
            [n, h],
          ],
          [GATES, GATES, STATE],
        ),
      )
      .map(([xg, hg, h]) => instance(`gruCell ${show(xg.shape)} ${show(h.shape)}`, gruCell, [xg, hg, h])),
  },
  {
    name: 'gruCell backward (the second derivative)',
    node: 'GRUCellGradNode',
    instance: sizes
      .chain(([n, h]) =>
        tensors(
          [
            [n, 3 * h],
            [n, 3 * h],
            [n, h],
            [n, h],
          ],
          [GATES, GATES, STATE, STATE],
        ),
      )
      .map(([xg, hg, h, dy]) =>
        instance(
          `gruCell backward ${show(xg.shape)}`,
          (...xs: Tensor[]) => {
            const [dx, dhg, dh] = GRUCellGradNode.applyMany(xs);
            return concat([dx, dhg, concat([dh, dh, dh], 1)], 0);
          },
          [xg, hg, h, dy],
        ),
      ),
  },
];
