/**
 * The training steps of bench/workloads.ts (the MLP, the chapter-6 LSTM language model, the
 * chapter-7 Peeky seq2seq and the chapter-8 attention seq2seq) on the WebGPU backend: the same
 * graphgrad code from the same initial weights over the same minibatches, each step's loss read back
 * as the book's loop does. Prints, per workload, the milliseconds per step (elapsed time, waiting for
 * the loss), the device work per step (compute dispatches and command-buffer submits, which is what
 * a step costs on a real GPU beyond its arithmetic) and the largest relative difference of the
 * first steps' losses from the CPU backend's.
 *
 *   node --import tsx bench/gpu/workloads.ts [workload ...] [--steps N]
 *
 * Where the only adapter is Mesa's lavapipe (a Vulkan driver on the CPU) the times are lavapipe's,
 * and say nothing about a GPU; the dispatch and submit counts are the same on any adapter.
 */
import { setBackend, Tensor } from '../../packages/core/src/index.ts';
import { cpuBackend } from '../../packages/cpu/src/index.ts';
import { createWebGPUBackend, type WebGPUBackend } from '../../packages/gpu/src/index.ts';
import { flagValue, fmt, machineLine, median, printTable, reproduceLine } from '../harness.ts';
import { attentionSeq2seq } from '../workloads/attention-seq2seq.ts';
import { lstmLm } from '../workloads/lstm-lm.ts';
import { mlp } from '../workloads/mlp.ts';
import { peekySeq2seq } from '../workloads/peeky-seq2seq.ts';
import { isPending, type Runner, type Workload } from '../workloads/workload.ts';

const WORKLOADS: readonly Workload[] = [mlp, lstmLm, peekySeq2seq, attentionSeq2seq];
/** Steps run on the GPU (the first untimed): lavapipe takes seconds a step on the larger workloads. */
const STEPS = Number(flagValue('--steps') ?? 4);
/** The first steps' losses compared with the CPU backend's (before float32 rounding parts the runs). */
const COMPARED = 2;

// NOTE: the workloads' steps read each loss with itemSync(), as the book's loop reads it on the CPU;
// a WebGPU tensor can only be read asynchronously. Here, for tensors of the WebGPU backend, itemSync
// starts the read (its copy is recorded at once, so disposing the tensor afterwards is safe) and
// returns NaN; the step's loss is the awaited read.
let gpu: WebGPUBackend | null = null;
let pending: Promise<number> | null = null;
Tensor.prototype.itemSync = function itemSyncOrStartRead(this: Tensor): number {
  if (this.backend !== gpu) return this.dataSync()[0];
  pending = this.item();
  return Number.NaN;
};

/** Runs `runner`'s step i and returns its loss, read back. */
async function stepLoss(runner: Runner, i: number): Promise<number> {
  pending = null;
  const result = await runner.step(i);
  const loss = pending === null ? result : await (pending as Promise<number>);
  if (loss === undefined) throw new Error('the step gave no loss');
  return loss;
}

interface Row {
  readonly workload: Workload;
  readonly ms: number;
  readonly dispatches: number;
  readonly submits: number;
  readonly pipelines: number;
  readonly diff: number;
  readonly losses: readonly number[];
}

async function measure(workload: Workload, backend: WebGPUBackend): Promise<Row | string> {
  if (isPending(workload.graphgrad)) return workload.graphgrad.pending;
  setBackend(cpuBackend({ threads: 1 }));
  const data = workload.data();
  const cpuRunner = workload.graphgrad(data);
  const cpuLosses: number[] = [];
  for (let i = 0; i < COMPARED; i++) cpuLosses.push(await stepLoss(cpuRunner, i));
  setBackend(backend);
  const runner = workload.graphgrad(data);
  const times: number[] = [];
  const dispatches: number[] = [];
  const submits: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const before = backend.counters;
    const start = performance.now();
    losses.push(await stepLoss(runner, i));
    const after = backend.counters;
    if (i === 0) continue; // the first step compiles its pipelines
    times.push(performance.now() - start);
    dispatches.push(after.dispatches - before.dispatches);
    submits.push(after.submits - before.submits);
  }
  const diff = Math.max(...cpuLosses.map((l, i) => Math.abs(losses[i] - l) / Math.abs(l)));
  return {
    workload,
    ms: median(times),
    dispatches: median(dispatches),
    submits: median(submits),
    pipelines: backend.counters.pipelines,
    diff,
    losses,
  };
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--steps');
  const workloads = WORKLOADS.filter((w) => wanted.length === 0 || wanted.includes(w.name));
  gpu = await createWebGPUBackend();
  console.log(machineLine());
  console.log(`WebGPU adapter: ${gpu.adapterName}; ${STEPS} steps a workload, the first untimed`);
  const rows: (Row | { workload: Workload; reason: string })[] = [];
  for (const workload of workloads) {
    process.stderr.write(`  ${workload.name}\n`);
    const row = await measure(workload, gpu);
    rows.push(typeof row === 'string' ? { workload, reason: row } : row);
  }
  printTable(
    'the workloads on WebGPU: elapsed ms per step (waiting for the loss), device work per step, losses against the CPU backend',
    [
      'workload',
      'ms / step',
      'dispatches / step',
      'submits / step',
      'pipelines (so far)',
      `max rel. Δ of steps 1–${COMPARED} vs cpu`,
      `loss at step ${STEPS}`,
    ],
    rows.map((r) =>
      'reason' in r
        ? [r.workload.name, `— (${r.reason})`]
        : [
            r.workload.name,
            fmt(r.ms),
            String(r.dispatches),
            String(r.submits),
            String(r.pipelines),
            r.diff.toExponential(1),
            fmt(r.losses[r.losses.length - 1], 7),
          ],
    ),
  );
  console.log(reproduceLine('bench/gpu/workloads.ts', process.argv.slice(2)));
  gpu.destroy();
}

await main();
