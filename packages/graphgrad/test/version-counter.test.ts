// In-place changes between the forward and backward(): a node whose gradient needs the old values
// refuses, naming the tensor and the node (PyTorch's version counter); one that only needs shapes,
// or no values at all, still differentiates.
import { testBackends } from '@graphgrad/test-backends';
import { describe, expect, it } from 'vitest';
import {
  add,
  detectAnomaly,
  ModifiedInPlaceError,
  mul,
  SGD,
  sigmoid,
  sum,
  tensor,
  tidy,
  zeros,
  type Backend,
} from '../src/index.ts';

describe.each(await testBackends())('version counters on $name', ({ backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'in-place changes are caught', () => {
    const on = backend as Backend;
    const param = (values: number[]) => tensor(values, { backend: on, requiresGrad: true });

    it('assign bumps the version', () => {
      const w = param([1, 2]);
      expect(w.version).toBe(0);
      w.assign(tensor([3, 4], { backend: on }));
      w.assign(tensor([5, 6], { backend: on }));
      expect(w.version).toBe(2);
    });

    it('refuses a backward through a product whose factor was assigned after the forward', () => {
      tidy(() => {
        // x's gradient needs w's values (dx = dy·w).
        const w = param([1, 2, 3]);
        const x = param([4, 5, 6]);
        const loss = sum(mul(w, x));
        w.assign(tensor([0, 0, 0], { backend: on }));
        let error: unknown;
        try {
          loss.backward();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ModifiedInPlaceError);
        expect((error as Error).message).toMatch(
          new RegExp(
            `^backward: tensor #${w.id} \\[3\\] float32 was changed in place \\(it is at version 1; Mul \\(node #\\d+\\) ` +
              'saved it at version 0 for its gradient, which would use the new values\\)',
          ),
        );
        expect((error as Error).message).toContain(
          'run the forward under detectAnomaly to see where the node was created',
        );
        // Nothing was delivered: the refused pass leaves no gradient behind.
        expect(x.grad).toBeNull();
        expect(w.grad).toBeNull();
      });
    });

    it('refuses a backward after an optimizer step changed a parameter the graph saved', () => {
      tidy(() => {
        const w = param([0.5, -1]);
        const loss = sum(mul(w, w));
        const optimizer = new SGD([w], { lr: 0.1 });
        w.grad = tensor([1, 1], { backend: on });
        optimizer.step();
        expect(() => loss.backward()).toThrow(ModifiedInPlaceError);
      });
    });

    it('refuses a backward through a saved output that was assigned', () => {
      tidy(() => {
        const x = param([0.1, 0.2]);
        const y = sigmoid(x);
        y.assign(zeros([2], { backend: on }));
        expect(() => sum(y).backward()).toThrow(/Sigmoid \(node #\d+\) saved it at version 0/);
      });
    });

    it('still differentiates when the rule needs no values of the changed tensor', async () => {
      const w = param([1, 2]);
      const b = param([3, 4]);
      // Add's gradient needs no values; Sum's needs only the shape.
      const loss = sum(add(w, b));
      w.assign(tensor([10, 20], { backend: on }));
      loss.backward();
      expect(Array.from(await w.grad!.data())).toEqual([1, 1]);
      expect(Array.from(await b.grad!.data())).toEqual([1, 1]);
      for (const t of [w, b, w.grad!, b.grad!, loss]) t.dispose();
    });

    it('accepts a fresh forward after the change', async () => {
      const w = param([1, 2]);
      w.assign(tensor([3, 4], { backend: on }));
      const loss = sum(mul(w, w));
      loss.backward();
      expect(Array.from(await w.grad!.data())).toEqual([6, 8]);
      for (const t of [w, w.grad!, loss]) t.dispose();
    });
  });
});

describe('version counters in anomaly mode', () => {
  it('say where the node that saved the tensor was created', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const error = detectAnomaly(() => {
      const loss = sum(mul(w, w));
      w.assign(tensor([0, 0]));
      try {
        loss.backward();
      } catch (e) {
        return e;
      }
      return null;
    });
    expect(error).toBeInstanceOf(ModifiedInPlaceError);
    expect((error as Error).message).toMatch(/the node was created\n {4}at .*version-counter\.test\.ts:\d+:\d+/);
  });
});
