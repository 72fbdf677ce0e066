// argmax over an empty axis has no answer: refused, as PyTorch refuses it, rather than index 0.
import { expect, it } from 'vitest';
import { ShapeError, zeros } from '@graphgrad/core';
import { argmax } from '../src/index.ts';

it('refuses an empty axis and keeps the other axes free to be empty', () => {
  expect(() => argmax(zeros([2, 0]), 1)).toThrow(
    new ShapeError('argmax: axis 1 of shape [2,0] is empty: it has no largest element'),
  );
  expect(argmax(zeros([0, 3]), 1).shape).toEqual([0]);
});
