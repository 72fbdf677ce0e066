/**
 * A backend wrapper for the benchmarks that counts, and optionally times, every call into the
 * backend (kernels, fill, fromData, readSync, dispose), so that a benchmark can split a step's time
 * into the backend's share and the framework's (the tape, validation, scopes). The wrapped backend
 * keeps its private state: the wrapper only forwards calls.
 *
 * ```ts
 * const probe = probeBackend(getBackend(), { timed: true });
 * setBackend(probe.backend);
 * step();
 * probe.totalMs(); // time spent inside the backend
 * ```
 */
import type { Backend, BackendArray, Kernels } from '@graphgrad/core';

/** Calls and time of one backend entry point. */
export interface ProbeStat {
  calls: number;
  /** Milliseconds inside the call, less the timer's own cost (0 unless timed). */
  ms: number;
}

/** A wrapped backend and what it saw. */
export interface BackendProbe {
  readonly backend: Backend;
  /** Per entry point (`'Add'`, `'MatMul'`, `'fill'`, `'dispose'`, …). */
  readonly stats: Map<string, ProbeStat>;
  /** Clears the statistics. */
  reset(): void;
  /** Total time inside the backend, milliseconds. */
  totalMs(): number;
  /** Total calls into the backend. */
  totalCalls(): number;
}

/** What one `performance.now()` pair costs, so that timed calls can subtract it. */
function timerCostMs(): number {
  const n = 200000;
  const start = performance.now();
  let sink = 0;
  for (let i = 0; i < n; i++) sink += performance.now() - performance.now();
  return (performance.now() - start) / n + sink * 0;
}

/** Wraps `inner`; with `timed`, each call is timed with `performance.now()` (about 40 ns a pair, subtracted). */
export function probeBackend(inner: Backend, { timed = false } = {}): BackendProbe {
  const stats = new Map<string, ProbeStat>();
  const overhead = timed ? timerCostMs() : 0;
  const wrap = <F extends (...args: never[]) => unknown>(name: string, fn: F): F => {
    const stat: ProbeStat = { calls: 0, ms: 0 };
    stats.set(name, stat);
    if (!timed) {
      return ((...args: Parameters<F>) => {
        stat.calls++;
        return fn(...args);
      }) as F;
    }
    return ((...args: Parameters<F>) => {
      stat.calls++;
      const start = performance.now();
      const out = fn(...args);
      stat.ms += performance.now() - start - overhead;
      return out;
    }) as F;
  };
  const kernels = Object.fromEntries(
    Object.entries(inner.kernels).map(([name, fn]) => [name, wrap(name, fn as (...a: never[]) => BackendArray)]),
  ) as unknown as Kernels;
  const backend: Backend = {
    name: inner.name,
    dtypes: inner.dtypes,
    kernels,
    fromData: wrap('fromData', (data, shape, dtype) => inner.fromData(data, shape, dtype)),
    fill: wrap('fill', (shape, value, dtype) => inner.fill(shape, value, dtype)),
    read: (x) => inner.read(x),
    readSync: wrap('readSync', (x) => inner.readSync!(x)),
    ...(inner.hostValues === undefined ? {} : { hostValues: wrap('hostValues', (x) => inner.hostValues!(x)) }),
    dispose: wrap('dispose', (x) => inner.dispose(x)),
    liveBuffers: () => inner.liveBuffers(),
  };
  return {
    backend,
    stats,
    reset: () => {
      for (const s of stats.values()) {
        s.calls = 0;
        s.ms = 0;
      }
    },
    totalMs: () => [...stats.values()].reduce((sum, s) => sum + s.ms, 0),
    totalCalls: () => [...stats.values()].reduce((sum, s) => sum + s.calls, 0),
  };
}
