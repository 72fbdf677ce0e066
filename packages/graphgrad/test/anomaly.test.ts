// Anomaly mode: a NaN or ±Inf is named to the node that made it, forward or backward, with the
// line of user code that created the node, on the CPU (at once) and on WebGPU (at the checkpoint).
import { describe, expect, it } from 'vitest';
import {
  AnomalyError,
  cpuBackend,
  BackendError,
  checkAnomalies,
  detectAnomaly,
  NonFiniteSeedError,
  tensor,
  tidy,
  type Backend,
  type DType,
  type Tensor,
} from '../src/index.ts';
import * as nodes from '@graphgrad/nodes';
import { testBackendDTypes } from '@graphgrad/test-backends';

const { add, exp, log, mul, sqrt, sum } = nodes;

/** The line of the caller: where the test's own line of code is. */
function lineHere(): number {
  const frame = new Error().stack!.split('\n')[2];
  return Number(/:(\d+):\d+\)?$/.exec(frame)![1]);
}

/** Runs `fn` and returns the AnomalyError it threw or rejected with. */
async function anomalyOf(fn: () => unknown): Promise<AnomalyError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof AnomalyError) return error;
    throw error;
  }
  throw new Error('expected an AnomalyError');
}

interface Row {
  readonly label: string;
  readonly backend: Backend | null;
  readonly dtype: DType;
  readonly skip: string | null;
}

const ROWS: readonly Row[] = (await testBackendDTypes()).map((b) => ({ ...b, skip: b.reason }));

const THIS_FILE = 'anomaly.test.ts';

describe.each(ROWS)('anomaly mode on $label', (row) => {
  const test = row.skip === null ? it : it.skip;
  const make = (values: number[], requiresGrad = true): Tensor =>
    tensor(values, { backend: row.backend!, dtype: row.dtype, requiresGrad });
  // The CPU throws at the operation; WebGPU at the checkpoint, so its runs are async.
  const inMode = (fn: () => void): unknown =>
    row.backend!.readSync !== undefined ? detectAnomaly(fn) : detectAnomaly(async () => fn());

  test('log(0)·0: the forward of Log is named, with the line that created it', async () => {
    let line = 0;
    const error = await anomalyOf(() =>
      inMode(() => {
        const x = make([1, 0, 2]);
        line = lineHere() + 1; // the next line
        const y = mul(log(x), 0);
        sum(y).backward();
      }),
    );
    expect(error.details).toMatchObject({
      phase: 'forward',
      kind: 'Log',
      index: 0,
      value: '-Inf',
      position: 1,
      inputShapes: [[3]],
    });
    expect(error.details.nodeId).toEqual(expect.any(Number));
    expect(error.details.callSite.split('\n')[0]).toContain(`${THIS_FILE}:${line}:`);
    expect(error.message).toMatch(
      new RegExp(
        `^detectAnomaly: the forward of Log \\(node #${error.details.nodeId}\\) produced -Inf at position 1 of output 0 \\[3\\] ${row.dtype} \\(inputs 'x' \\[3\\]\\); the node was created\\n    at .*${THIS_FILE}:${line}:`,
      ),
    );
    // graphgrad's own frames are left out of the call site
    expect(error.details.callSite).not.toMatch(/[/\\](core|nodes)[/\\]src[/\\]/);
  });

  test('sqrt at 0: finite forward, Inf gradient, named to the backward of Sqrt', async () => {
    let line = 0;
    const error = await anomalyOf(() =>
      inMode(() => {
        const x = make([4, 0]);
        line = lineHere() + 1; // the next line
        const y = sqrt(x);
        sum(add(y, 1)).backward();
      }),
    );
    expect(error.details).toMatchObject({
      phase: 'backward',
      kind: 'Sqrt',
      index: 0,
      inputName: 'x',
      value: 'Inf',
      position: 1,
      inputShapes: [[2]],
    });
    expect(error.details.callSite.split('\n')[0]).toContain(`${THIS_FILE}:${line}:`);
    expect(error.message).toMatch(
      new RegExp(
        `^detectAnomaly: the backward of Sqrt \\(node #\\d+\\) produced Inf at position 1 of the gradient of input 'x' \\[2\\] ${row.dtype} \\(inputs 'x' \\[2\\]\\); the node was created\\n    at .*${THIS_FILE}:${line}:`,
      ),
    );
  });

  test('an operation no gradient flows through is checked too (not recorded, so no node id)', async () => {
    const error = await anomalyOf(() => inMode(() => void exp(make([1, 1e6], false))));
    expect(error.details).toMatchObject({ phase: 'forward', kind: 'Exp', nodeId: null, value: 'Inf', position: 1 });
    expect(error.message).toMatch(
      /^detectAnomaly: the forward of Exp \(not recorded: no input required a gradient\) produced Inf/,
    );
    expect(error.details.callSite).toContain(THIS_FILE);
  });

  test('finite values: no error, the same values as without anomaly mode', async () => {
    const run = (): Tensor => {
      const x = make([1, 2, 3]);
      const y = sum(mul(log(x), x));
      y.backward();
      return x.grad!;
    };
    const plain = await run().data();
    const checked = await (async () => {
      let grad: Tensor | null = null;
      await inMode(() => {
        grad = run();
      });
      return grad!.data();
    })();
    expect(Array.from(checked)).toEqual(Array.from(plain));
  });

  test('off: a NaN goes through unreported and no call site is recorded', async () => {
    const x = make([0]);
    const y = mul(log(x), 0);
    expect(y.origin!.node.callSite).toBeUndefined();
    sum(y).backward();
    expect(Number.isNaN((await y.data())[0])).toBe(true);
    // after a run in anomaly mode the hooks are removed again
    await anomalyOf(() => inMode(() => void log(make([0]))));
    const z = log(make([0]));
    expect(z.origin!.node.callSite).toBeUndefined();
    expect((await z.data())[0]).toBe(-Infinity);
  });

  test('a seed gradient holding NaN is a NonFiniteSeedError', async () => {
    const seed = make([Number.NaN, 1], false);
    const run = async (): Promise<unknown> => inMode(() => mul(make([1, 2]), 2).backward(seed));
    await expect(run()).rejects.toThrow(NonFiniteSeedError);
    await expect(run()).rejects.toThrow('backward: the seed gradient holds NaN or ±Inf');
  });

  test('leaks nothing: kept values are released after the check', async () => {
    const backend = row.backend!;
    const before = backend.liveBuffers();
    await anomalyOf(() =>
      inMode(() =>
        tidy(() => {
          const x = make([1, 0]);
          sum(mul(log(x), 2)).backward(); // the CPU throws here
          x.grad!.dispose(); // WebGPU gets this far; it throws at the checkpoint
        }),
      ),
    );
    expect(backend.liveBuffers()).toBe(before);
  });
});

describe('anomaly mode on the CPU', () => {
  it('throws at the operation that made the value (nothing after it runs)', () => {
    const x = tensor([0], { dtype: 'float64', requiresGrad: true });
    let reached = false;
    expect(() =>
      detectAnomaly(() => {
        log(x);
        reached = true;
      }),
    ).toThrow(AnomalyError);
    expect(reached).toBe(false);
  });

  it('off, values are never read back (the hooks are one null check)', () => {
    const backend = cpuBackend();
    let reads = 0;
    const readSync = backend.readSync.bind(backend);
    backend.readSync = (a) => {
      reads++;
      return readSync(a);
    };
    const x = tensor([1, 2], { backend, requiresGrad: true });
    sum(mul(log(x), x)).backward();
    expect(reads).toBe(0);
    detectAnomaly(() => sum(mul(log(x), x)).backward());
    expect(reads).toBeGreaterThan(0);
  });

  it('returns what the function returns, sync or async', async () => {
    expect(detectAnomaly(() => 42)).toBe(42);
    await expect(detectAnomaly(async () => 43)).resolves.toBe(43);
  });

  it('an error of the function itself passes through', async () => {
    expect(() =>
      detectAnomaly(() => {
        throw new RangeError('mine');
      }),
    ).toThrow(RangeError);
    await expect(detectAnomaly(async () => Promise.reject(new RangeError('mine')))).rejects.toThrow(RangeError);
  });
});

const gpu = ROWS.find((r) => r.label.startsWith('webgpu'))!;

describe.runIf(gpu.backend !== null)('anomaly mode on WebGPU', () => {
  const backend = gpu.backend!;

  it('a sync function cannot wait for the values: a BackendError says to pass an async one', () => {
    const x = tensor([1, 2], { backend, requiresGrad: true });
    expect(() => detectAnomaly(() => sum(log(x)).backward())).toThrow(BackendError);
    expect(() => detectAnomaly(() => sum(log(x)).backward())).toThrow(
      'detectAnomaly: the webgpu backend reads asynchronously, so its values can only be checked by an async function: await detectAnomaly(async () => { ... })',
    );
  });

  it('checkAnomalies() reports at the step that made the NaN, not at the end', async () => {
    const x = tensor([1, 2], { backend, requiresGrad: true });
    let steps = 0;
    const error = await anomalyOf(() =>
      detectAnomaly(async () => {
        for (const shift of [0, -1, -2, -3]) {
          steps++;
          sum(log(add(x, shift))).backward(); // log of 0 at shift -1, of negatives after
          await checkAnomalies();
        }
      }),
    );
    expect(steps).toBe(2);
    expect(error.details).toMatchObject({ phase: 'forward', kind: 'Log', value: '-Inf', position: 0 });
  });

  it('the first anomaly in program order is reported (log(0), not the NaN and gradients it poisons)', async () => {
    const x = tensor([0, 1], { backend, requiresGrad: true });
    const error = await anomalyOf(() =>
      detectAnomaly(async () => {
        const y = mul(log(x), x);
        sum(exp(y)).backward();
      }),
    );
    expect(error.details).toMatchObject({ phase: 'forward', kind: 'Log', value: '-Inf', position: 0 });
  });
});
