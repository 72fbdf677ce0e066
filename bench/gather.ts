/**
 * gather + backward of an embedding table: 700 picks (repeated ids included) of 100 columns from
 * tables of 1,000, 10,000 and 50,000 rows, on the CPU backend and on WebGPU (lavapipe where there
 * is no GPU), each step's time and its ratio to the 1,000-row table on the same backend. The
 * gradient is dense (a [rows, 100] tensor), and the target is that the rows nobody picked cost
 * nothing: every ratio at most 1.5×. For scale, the last column is what zeroing the table's
 * gradient would cost (`fill` of [rows, 100] with 0), the pass a dense gradient from fresh zeros
 * makes.
 *
 *   node --import tsx bench/gather.ts [--runs 9] [--no-gpu]
 *
 * One step: y = gather(W, ids); y.backward(seed); W.zeroGrad() (which releases the gradient), and
 * on WebGPU a wait for the device. The CPU is timed on the process's CPU time; WebGPU on elapsed
 * time, since lavapipe's worker threads and a GPU's own clock are neither this thread's CPU time.
 */
import { Generator, randn, tensor, tidy, type Backend, type Tensor } from '@graphgrad/core';
import { cpuBackend } from '@graphgrad/cpu';
import { gather } from '@graphgrad/nodes';
import { createWebGPUBackend, type WebGPUBackend } from '../packages/gpu/src/index.ts';
import {
  clockMs,
  flagValue,
  fmtRatio,
  hasFlag,
  machineLine,
  median,
  printTable,
  reproduceLine,
  type Clock,
} from './harness.ts';

const ROWS = [1000, 10000, 50000];
const COLUMNS = 100;
const PICKS = 700;
const RUNS = Number(flagValue('--runs') ?? 9);
const TARGET = 1.5;

/** 700 ids over `rows`: uniform draws, with every tenth pick repeating an earlier one. */
function ids(rows: number, seed: number): Int32Array {
  const g = new Generator(seed);
  const out = new Int32Array(PICKS);
  for (let i = 0; i < PICKS; i++) out[i] = i % 10 === 9 ? out[g.int(i)] : g.int(rows);
  return out;
}

/** What one table size needs: the table, the ids, the seed gradient, and the step. */
interface Setup {
  readonly rows: number;
  readonly step: () => void;
  readonly zero: () => void;
  readonly dispose: () => void;
}

function setup(backend: Backend, rows: number): Setup {
  const W = randn([rows, COLUMNS], { seed: 1, requiresGrad: true, backend });
  const picks = tensor(ids(rows, 2), { dtype: 'int32', backend });
  const seed = randn([PICKS, COLUMNS], { seed: 3, backend });
  return {
    rows,
    step: () => {
      tidy(() => gather(W, picks).backward(seed));
      W.zeroGrad();
    },
    zero: () => backend.dispose(backend.fill([rows, COLUMNS], 0, 'float32')),
    dispose: () => {
      for (const t of [W, picks, seed] as Tensor[]) t.dispose();
    },
  };
}

/** Checks once that the gradient is right: each row gets the sum of the seed's rows that picked it. */
async function verify(backend: Backend, rows: number): Promise<void> {
  const W = randn([rows, COLUMNS], { seed: 1, requiresGrad: true, backend });
  const picked = ids(rows, 2);
  const picks = tensor(picked, { dtype: 'int32', backend });
  const seedValues = Float32Array.from({ length: PICKS * COLUMNS }, (_, i) => (i % 7) - 3);
  const seed = tensor(seedValues, { shape: [PICKS, COLUMNS], backend });
  for (let round = 0; round < 2; round++) {
    tidy(() => gather(W, picks).backward(seed));
    const grad = await W.grad!.data();
    const want = new Float64Array(rows * COLUMNS);
    picked.forEach((r, i) => {
      for (let j = 0; j < COLUMNS; j++) want[r * COLUMNS + j] += seedValues[i * COLUMNS + j];
    });
    for (let i = 0; i < want.length; i++) {
      if (grad[i] !== want[i])
        throw new Error(`${backend.name} ${rows} rows: gradient element ${i} is ${grad[i]}, expected ${want[i]}`);
    }
    W.zeroGrad();
  }
  for (const t of [W, picks, seed]) t.dispose();
}

interface Row {
  readonly rows: number;
  readonly step: number;
  readonly zero: number;
}

/**
 * Median ms per step for each table size, measured round by round (one run of every size per round),
 * so a change of load on the shared machine hits all sizes alike.
 */
async function measureBackend(backend: Backend, clock: Clock, settle: () => Promise<void>): Promise<Row[]> {
  const setups = ROWS.map((rows) => setup(backend, rows));
  // about 20 ms a run at the smallest table
  const t0 = clockMs(clock);
  for (let i = 0; i < 5; i++) setups[0].step();
  await settle();
  const inner = Math.max(1, Math.round(20 / Math.max(1e-3, (clockMs(clock) - t0) / 5)));
  const steps: number[][] = setups.map(() => []);
  const zeros: number[][] = setups.map(() => []);
  for (const s of setups) {
    for (let i = 0; i < 3; i++) s.step();
    await settle();
  }
  for (let r = 0; r < RUNS; r++) {
    for (let k = 0; k < setups.length; k++) {
      const s = setups[k];
      let start = clockMs(clock);
      for (let i = 0; i < inner; i++) {
        s.step();
        await settle();
      }
      steps[k].push((clockMs(clock) - start) / inner);
      start = clockMs(clock);
      for (let i = 0; i < inner; i++) {
        s.zero();
        await settle();
      }
      zeros[k].push((clockMs(clock) - start) / inner);
    }
  }
  for (const s of setups) s.dispose();
  return setups.map((s, k) => ({ rows: s.rows, step: median(steps[k]), zero: median(zeros[k]) }));
}

function report(name: string, rows: readonly Row[] | string): boolean {
  if (typeof rows === 'string') {
    printTable(`${name}: gather + backward, ${PICKS} picks × ${COLUMNS} columns`, ['rows', 'ms / step'], [['—', rows]]);
    return true;
  }
  const base = rows[0].step;
  printTable(
    `${name}: gather + backward, ${PICKS} picks × ${COLUMNS} columns (target: ≤ ${TARGET}× the ${ROWS[0]}-row step)`,
    ['rows', 'ms / step', `vs ${ROWS[0]} rows`, 'target', 'zeroing [rows, 100] (ms)'],
    rows.map((r) => [
      r.rows.toLocaleString('en-US'),
      r.step,
      fmtRatio(r.step / base),
      r.step / base <= TARGET ? 'met' : 'not met',
      r.zero,
    ]),
  );
  return rows.every((r) => r.step / base <= TARGET);
}

async function main(): Promise<void> {
  console.log(machineLine());
  const cpu = cpuBackend();
  for (const rows of ROWS) await verify(cpu, rows);
  const met = [report('cpu (process CPU time)', await measureBackend(cpu, 'cpu', () => Promise.resolve()))];
  if (hasFlag('--no-gpu')) report('webgpu', 'not run (--no-gpu)');
  else {
    let gpu: WebGPUBackend | null = null;
    try {
      gpu = await createWebGPUBackend();
    } catch (error) {
      report('webgpu', `no adapter: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (gpu !== null) {
      const device = gpu;
      console.log(`webgpu adapter: ${device.adapterName}`);
      for (const rows of ROWS) await verify(device, rows);
      met.push(
        report(
          `webgpu (${device.adapterName}, elapsed time)`,
          await measureBackend(device, 'wall', () => device.sync()),
        ),
      );
      device.destroy();
    }
  }
  console.log(met.every(Boolean) ? 'every ratio within the target' : 'some ratio above the target');
  console.log(reproduceLine('bench/gather.ts'));
}

await main();
