// A refused call changes nothing: tensors, gradients and graphs are as they were before it.
import { describe, expect, it } from 'vitest';
import { ArgumentError, defineNode, exp, ModifiedInPlaceError, mul, sum, tensor, tidy } from '../src/index.ts';

/** A node whose gradient rule fails: a stand-in for any rule that throws midway through a pass. */
const FailingRule = defineNode({
  kind: 'FailingRule',
  inputs: ['x'],
  forward: (k, [x]) => k.Exp(x),
  backward: () => {
    throw new Error('this rule fails');
  },
});

describe('backward() that fails', () => {
  it('changes no gradient accumulated earlier, on any leaf', async () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    sum(mul(a, b)).backward();
    const before = [Array.from(await a.grad!.data()), Array.from(await b.grad!.data())];
    const gradA = a.grad;
    // a reaches the root through a healthy path, b through the failing rule.
    const loss = sum(mul(exp(a), FailingRule.apply([b], undefined)));
    expect(() => loss.backward()).toThrow('this rule fails');
    expect(a.grad).toBe(gradA);
    expect(a.grad!.isDisposed).toBe(false);
    expect([Array.from(await a.grad!.data()), Array.from(await b.grad!.data())]).toEqual(before);
  });

  it('leaves the graph whole, so the pass can run again once the cause is fixed', async () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const x = tensor([3, 4], { requiresGrad: true });
    const loss = sum(mul(w, x));
    const saved = tensor([1, 2]);
    w.assign(tensor([5, 6]));
    expect(() => loss.backward()).toThrow(ModifiedInPlaceError);
    expect(x.grad).toBeNull();
    // Put the old values back (one more version: the counter never goes back, so it still refuses).
    w.assign(saved);
    expect(() => loss.backward()).toThrow(ModifiedInPlaceError);
    expect(loss.origin!.node.isFreed).toBe(false);
  });
});

describe('tidy', () => {
  it('refuses an async function, disposing what it made before its first await', () => {
    let made: ReturnType<typeof tensor> | null = null;
    expect(() =>
      tidy(async () => {
        made = tensor([1, 2]);
        await Promise.resolve();
        return made;
      }),
    ).toThrow(ArgumentError);
    expect(() =>
      tidy(async () => {
        await Promise.resolve();
      }),
    ).toThrow(
      'tidy: fn returned a promise; tidy takes a synchronous function (await outside it, and tidy each synchronous step)',
    );
    expect(made!.isDisposed).toBe(true);
  });
});
