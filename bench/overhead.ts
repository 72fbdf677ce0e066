/**
 * The define-by-run tax on small models: what recording a node on the tape and walking it in
 * `backward()` cost on 2×2 float32 tensors, beside the kernels themselves.
 *
 * A chain of N nodes alternates y = y + c and y = y · c (x requires a gradient, c does not), then
 * `y.backward(ones)`. A counting run records which kernels each phase calls; the same kernels are
 * timed bare (`backend.kernels.Add(a, b)` on the same arrays, then disposed); the framework's time
 * per node is the phase's time minus those kernels' time, divided by N. A plain function on
 * Float32Arrays is the floor. Every quantity is measured once per round, interleaved, and the
 * framework time comes from each round's own kernel timings; the table shows medians over rounds.
 *
 *   node --import tsx bench/overhead.ts [--nodes 200] [--runs 21] [--wall]
 */
import {
  getBackend,
  noGrad,
  ones,
  setBackend,
  tensor,
  tidy,
  type Backend,
  type BackendArray,
  type Tensor,
} from '@graphgrad/core';
import { cpuBackend } from '@graphgrad/cpu';
import { probeBackend } from './backend-probe.ts';
import { add, mul } from '@graphgrad/nodes';
import {
  clockMs,
  flagValue,
  fmt,
  hasFlag,
  machineLine,
  median,
  printTable,
  reproduceLine,
  type Clock,
} from './harness.ts';

// graphgrad's CPU backend: core sets no backend of its own.
setBackend(cpuBackend());

const NODES = Number(flagValue('--nodes') ?? 200);
const RUNS = Number(flagValue('--runs') ?? 21);
const TARGET_NS = 300;
/** Process CPU time by default: the machine is shared, and a time slice lost to another process is not the framework's. */
const CLOCK: Clock = hasFlag('--wall') ? 'wall' : 'cpu';

/** Kernel calls (and fills) by name. */
type Counts = Map<string, number>;

/** The benchmark's chain: N alternating adds and muls of a 2×2 tensor by a constant. */
function chain(x: Tensor, c: Tensor, n: number): Tensor {
  let y = x;
  for (let i = 0; i < n; i++) y = i % 2 === 0 ? add(y, c) : mul(y, c);
  return y;
}

function inputs(backend: Backend) {
  const x = tensor(
    [
      [0.5, -1],
      [2, 0.25],
    ],
    { requiresGrad: true, backend },
  );
  const c = tensor(
    [
      [1.0001, 0.9999],
      [1, 1.0002],
    ],
    { backend },
  );
  const seed = ones([2, 2], { backend });
  return { x, c, seed };
}

/** Forward only (recorded), forward + backward, and forward under noGrad, each disposed by a tidy. */
function phases(backend: Backend) {
  const { x, c, seed } = inputs(backend);
  return {
    forward: () => tidy(() => void chain(x, c, NODES)),
    forwardBackward: () =>
      tidy(() => {
        chain(x, c, NODES).backward(seed);
        x.zeroGrad();
      }),
    noGrad: () => noGrad(() => tidy(() => void chain(x, c, NODES))),
    dispose: () => [x, c, seed].forEach((t) => t.dispose()),
  };
}

function countKernels(backend: Backend) {
  const probe = probeBackend(backend);
  const p = phases(probe.backend);
  const take = (fn: () => void): Counts => {
    probe.reset();
    fn();
    // Disposal is part of each bare kernel's measured cost; creation of the inputs is not counted.
    return new Map(
      [...probe.stats]
        .filter(([name, s]) => s.calls > 0 && name !== 'dispose' && name !== 'fromData')
        .map(([name, s]) => [name, s.calls]),
    );
  };
  const forward = take(p.forward);
  const forwardBackward = take(p.forwardBackward);
  const noGradCounts = take(p.noGrad);
  p.dispose();
  const backwardOnly: Counts = new Map(forwardBackward);
  for (const [k, v] of forward) backwardOnly.set(k, (backwardOnly.get(k) ?? 0) - v);
  return { forward, backward: backwardOnly, noGrad: noGradCounts };
}

/** One bare call of each counted kernel on 2×2 float32 arrays, result disposed. */
function bareKernelCalls(
  backend: Backend,
  names: Iterable<string>,
): { calls: Map<string, () => void>; dispose: () => void } {
  const a = backend.fromData(new Float32Array([0.5, -1, 2, 0.25]), [2, 2], 'float32');
  const b = backend.fromData(new Float32Array([1.0001, 0.9999, 1, 1.0002]), [2, 2], 'float32');
  const k = backend.kernels;
  const d = (x: BackendArray) => backend.dispose(x);
  const calls: Record<string, () => void> = {
    Add: () => d(k.Add(a, b)),
    Mul: () => d(k.Mul(a, b)),
    Sub: () => d(k.Sub(a, b)),
    Reshape: () => d(k.Reshape(a, [2, 2])),
    fill: () => d(backend.fill([2, 2], 1, 'float32')),
    readSync: () => backend.readSync!(a),
  };
  const out = new Map<string, () => void>();
  for (const name of names) {
    const call = calls[name];
    if (call === undefined) throw new Error(`overhead: no bare measurement for kernel ${name}; add one`);
    out.set(name, call);
  }
  return {
    calls: out,
    dispose: () => {
      backend.dispose(a);
      backend.dispose(b);
    },
  };
}

/** Milliseconds per call of `fn` over `inner` calls. */
function timeOnce(fn: () => unknown, inner: number): number {
  const start = clockMs(CLOCK);
  for (let i = 0; i < inner; i++) fn();
  return (clockMs(CLOCK) - start) / inner;
}

function kernelTime(counts: Counts, costs: Map<string, number>): number {
  let ms = 0;
  for (const [name, n] of counts) ms += n * costs.get(name)!;
  return ms;
}

function describe(counts: Counts): string {
  return [...counts]
    .filter(([, n]) => n !== 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

function plainAdd(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

function main(): void {
  const backend = getBackend();
  console.log(machineLine());
  console.log(
    `overhead: a chain of ${NODES} alternating add/mul nodes on 2×2 float32 (${backend.name} backend); median of ${RUNS} rounds, ${CLOCK === 'cpu' ? 'process CPU time' : 'wall time'}`,
  );

  const counts = countKernels(backend);
  const names = new Set([...counts.forward.keys(), ...counts.backward.keys(), ...counts.noGrad.keys()]);
  const bare = bareKernelCalls(backend, names);
  const p = phases(backend);
  const fa = new Float32Array([0.5, -1, 2, 0.25]);
  const fb = new Float32Array([1, 1, 1, 1]);
  const plainCall = () => plainAdd(fa, fb);

  // NOTE: the machine is shared, so every quantity is measured once per round, interleaved, and the
  // framework time of a round is computed from that round's own kernel timings; medians over rounds.
  const inner = Math.max(1, Math.round(20000 / NODES));
  const kernelInner = 20000;
  for (let w = 0; w < 5; w++) {
    timeOnce(p.forward, inner);
    timeOnce(p.forwardBackward, inner);
    timeOnce(p.noGrad, inner);
    for (const call of bare.calls.values()) timeOnce(call, kernelInner);
    timeOnce(plainCall, kernelInner * 5);
  }
  const series = {
    fwd: [] as number[],
    bwd: [] as number[],
    ng: [] as number[],
    fwdFw: [] as number[],
    bwdFw: [] as number[],
    ngFw: [] as number[],
    plain: [] as number[],
  };
  const kernelSeries = new Map<string, number[]>([...names].map((n) => [n, []]));
  for (let r = 0; r < RUNS; r++) {
    const fwd = timeOnce(p.forward, inner);
    const fwdBwd = timeOnce(p.forwardBackward, inner);
    const ng = timeOnce(p.noGrad, inner);
    const costs = new Map<string, number>();
    for (const [name, call] of bare.calls) {
      costs.set(name, timeOnce(call, kernelInner));
      kernelSeries.get(name)!.push(costs.get(name)!);
    }
    series.plain.push(timeOnce(plainCall, kernelInner * 5));
    series.fwd.push(fwd);
    series.bwd.push(fwdBwd - fwd);
    series.ng.push(ng);
    series.fwdFw.push(fwd - kernelTime(counts.forward, costs));
    series.bwdFw.push(fwdBwd - fwd - kernelTime(counts.backward, costs));
    series.ngFw.push(ng - kernelTime(counts.noGrad, costs));
  }
  p.dispose();
  bare.dispose();
  const costs = new Map([...kernelSeries].map(([k, v]) => [k, median(v)]));
  const plain = median(series.plain);

  const perNode = (ms: number) => (ms * 1e6) / NODES; // ns per node
  const row = (name: string, total: number[], framework: number[], c: Counts) => {
    const fw = perNode(median(framework));
    return [name, perNode(median(total)), perNode(kernelTime(c, costs)), fw, `${fmt(fw / TARGET_NS, 3)}×`, describe(c)];
  };
  printTable(
    `overhead per node (ns), ${NODES}-node chain on 2×2 float32: framework = total − bare kernels (target ≤ ${TARGET_NS} ns)`,
    [
      'phase',
      'total ns / node',
      'kernels ns / node',
      'framework ns / node',
      'framework / target',
      `kernel calls in the chain`,
    ],
    [
      row('forward, recorded', series.fwd, series.fwdFw, counts.forward),
      row('backward', series.bwd, series.bwdFw, counts.backward),
      row('forward, noGrad', series.ng, series.ngFw, counts.noGrad),
    ],
  );
  printTable(
    'bare calls on 2×2 float32 (ns / call)',
    ['call', 'ns'],
    [
      ['plain function on Float32Arrays (new output)', plain * 1e6],
      ...[...costs].map(([k, v]): [string, number] => [
        k === 'fill' || k === 'readSync'
          ? `backend.${k}${k === 'fill' ? ' + dispose' : ''}`
          : `backend.kernels.${k} + dispose`,
        v * 1e6,
      ]),
    ],
  );
  console.log(reproduceLine('bench/overhead.ts', process.argv.slice(2)));
}

main();
