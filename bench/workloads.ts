/**
 * Training steps against PyTorch, jax-js and the book's numpy, in the same run: for each workload in
 * bench/workloads/ (a file with its graphgrad and jax-js steps, and a Python module with its PyTorch
 * and numpy steps), the initial weights and every minibatch are generated once and handed to every
 * framework as files; each framework runs the same N steps in a process of its own and reports the
 * median time per step (after warm-up), the growth of the process's peak memory over the steps, and
 * every step's loss. The losses must agree to float32 tolerance with the reference row's (PyTorch on
 * one thread, else the first row that ran): a row that does not is marked, printed loudly, gets no
 * ratio, and the benchmark exits with status 1.
 *
 *   node --import tsx bench/workloads.ts [workload ...] [--frameworks graphgrad,graphgrad2,torch,torch2,jax-js,numpy]
 *
 * Rows: graphgrad's CPU backend on one thread (`cpuBackend({ threads: 1 })`) and, where a workload's
 * products are large, on two (its worker threads); PyTorch (Debian's python3-torch) on one thread
 * (torch.set_num_threads(1) and OPENBLAS_NUM_THREADS=1: OpenBLAS otherwise starts a thread per core
 * whatever torch's setting) and, where products are large, on two (both settings 2,
 * OMP_WAIT_POLICY=PASSIVE); jax-js on its wasm device (one thread in Node), each step one
 * jit-compiled function; numpy running the book's layers on one thread. One thread is timed by the
 * process's CPU time (time slices lost to other processes on a shared machine do not count), two
 * threads by elapsed time (CPU time would add up both threads; the table gives it too). Each ratio
 * pairs rows with as many threads.
 *
 * A framework's side that does not exist yet (an op graphgrad lacks) is printed as `—` with the reason,
 * as is a reference that cannot run here (no PyTorch installed, say); neither is ever dropped silently.
 */
import { setBackend } from '@graphgrad/core';
import { cpuBackend } from '@graphgrad/cpu';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  clockMs,
  flagValue,
  fmt,
  fmtRatio,
  machineLine,
  median,
  printTable,
  python,
  reproduceLine,
} from './harness.ts';
import { attentionSeq2seq } from './workloads/attention-seq2seq.ts';
import { lstmLm } from './workloads/lstm-lm.ts';
import { matmul1024, matmulLstmGates, matmulLstmOutput } from './workloads/matmul.ts';
import { mlp } from './workloads/mlp.ts';
import { peekySeq2seq } from './workloads/peeky-seq2seq.ts';
import { spiral } from './workloads/spiral.ts';
import { isPending, readData, writeData, type Jax, type Runner, type Workload } from './workloads/workload.ts';

/** Every workload, in the order they run. A new one is a file in bench/workloads/ and a line here. */
const WORKLOADS: readonly Workload[] = [
  spiral,
  mlp,
  matmul1024,
  matmulLstmGates,
  matmulLstmOutput,
  lstmLm,
  peekySeq2seq,
  attentionSeq2seq,
];

const FRAMEWORKS = ['graphgrad', 'graphgrad2', 'torch', 'torch2', 'jax-js', 'numpy'] as const;
type Framework = (typeof FRAMEWORKS)[number];
/** The frameworks run in a Node child. */
type NodeFramework = 'graphgrad' | 'graphgrad2' | 'jax-js';
/** The two-thread rows, timed by elapsed time and compared with each other. */
const TWO_THREADS: readonly Framework[] = ['graphgrad2', 'torch2'];

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const self = relative(root, fileURLToPath(import.meta.url));

/** What one framework's run of a workload reports (the Node child's and runner.py's JSON). */
interface Measured {
  readonly version: string;
  readonly blas?: string;
  readonly threads: number;
  readonly clock: 'cpu' | 'wall';
  /** Milliseconds per step of each timed sample. */
  readonly samples: number[];
  /** Every step's loss (empty for a workload without one). */
  readonly losses: number[];
  /** The check value (a workload without a loss), else the last step's loss. */
  readonly final: number;
  /** Median CPU milliseconds per step (the same as the samples' for a one-thread row). */
  readonly cpuMedian: number;
  /** Growth of the peak resident set over the steps, bytes. */
  readonly peakRss: number;
  /** 'VmHWM' (the kernel's peak mark, reset before the steps) or 'maxrss' / 'sampled' (a lower bound). */
  readonly rssMethod: string;
  /** Node only: growth of the peak of process.memoryUsage().external over the steps, bytes. */
  readonly peakExternal?: number;
}

interface Row {
  readonly framework: Framework;
  readonly label: string;
  readonly measured?: Measured;
  readonly reason?: string;
}

// ---------------------------------------------------------------------------------------------
// The child: one framework's steps of one workload, timed in a process of its own.

function peakRssMark(): { method: string; read: () => number } {
  const status = (key: string) => {
    const match = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
    return match === null ? NaN : Number(match[1]) * 1024;
  };
  try {
    // Linux: writing 5 resets the process's peak-RSS mark (VmHWM) to its current RSS.
    writeFileSync('/proc/self/clear_refs', '5');
    if (!Number.isNaN(status('VmHWM'))) return { method: 'VmHWM', read: () => status('VmHWM') };
  } catch {
    // not Linux, or not allowed: sample the RSS after every timed sample instead (a lower bound)
  }
  let peak = process.memoryUsage.rss();
  return { method: 'sampled', read: () => (peak = Math.max(peak, process.memoryUsage.rss())) };
}

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(name));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? '?';
    } catch {
      // not this folder
    }
  }
  return '?';
}

async function runChild(name: string, framework: NodeFramework, dir: string): Promise<void> {
  const workload = WORKLOADS.find((w) => w.name === name);
  if (workload === undefined) throw new Error(`no workload ${name}`);
  const data = readData(dir);
  let runner: Runner;
  let version: string;
  let threads = 1;
  if (framework !== 'jax-js') {
    if (isPending(workload.graphgrad)) throw new Error(workload.graphgrad.pending);
    // One thread, or two for large matrix products (the CPU backend's worker threads).
    const backend = cpuBackend({ threads: framework === 'graphgrad2' ? 2 : 1 });
    setBackend(backend);
    threads = backend.threads;
    runner = workload.graphgrad(data);
    version = packageVersion('@graphgrad/core');
  } else {
    if (isPending(workload.jaxjs)) throw new Error(workload.jaxjs.pending);
    // Loaded here only, so that jax-js is never in graphgrad's process.
    const jax: Jax = await import('@jax-js/jax');
    const devices = await jax.init('wasm');
    if (!devices.includes('wasm')) throw new Error(`jax-js: no wasm device (devices: ${devices.join(', ')})`);
    jax.defaultDevice('wasm');
    runner = await workload.jaxjs(jax, data);
    version = packageVersion('@jax-js/jax');
  }
  const { steps, warmup, group } = workload;
  const clock = threads > 1 ? 'wall' : 'cpu';
  const mark = peakRssMark();
  const rss0 = process.memoryUsage.rss();
  const external0 = process.memoryUsage().external;
  let peakExternal = external0;
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  let last: number | undefined;
  const losses: number[] = [];
  for (let i = 0; i < steps;) {
    const n = i < warmup ? 1 : Math.min(group, steps - i);
    const start = clockMs(clock);
    const cpuStart = clockMs('cpu');
    for (let k = 0; k < n; k++, i++) {
      const result = runner.step(i);
      last = result instanceof Promise ? await result : result;
      if (last !== undefined) losses.push(last);
    }
    if (i > warmup) {
      samples.push((clockMs(clock) - start) / n);
      cpuSamples.push((clockMs('cpu') - cpuStart) / n);
    }
    peakExternal = Math.max(peakExternal, process.memoryUsage().external);
    mark.read();
  }
  const peakRss = mark.read() - rss0;
  const final = runner.finish !== undefined ? await runner.finish() : last;
  if (final === undefined) throw new Error(`${name}: step returned no loss and there is no finish()`);
  const measured: Measured = {
    version,
    threads,
    clock,
    samples,
    cpuMedian: median(cpuSamples),
    final,
    losses,
    peakRss,
    rssMethod: mark.method,
    peakExternal: peakExternal - external0,
  };
  console.log(JSON.stringify(measured));
}

// ---------------------------------------------------------------------------------------------
// The parent: data once per workload, one child per framework, the table and the checks.

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

function spawnMeasured(cmd: string, args: string[], env: Record<string, string>): Measured | string {
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
    timeout: 30 * 60 * 1000,
  });
  if (r.status !== 0) {
    const lines = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').map((l) => l.trim());
    const why =
      lines.find((l) => /^\w*Error\b|Error:/.test(l)) ??
      lines.findLast((l) => l !== '' && !l.startsWith('Node.js')) ??
      `exit ${r.status ?? r.signal}`;
    process.stderr.write(`bench: ${cmd} ${args.join(' ')} failed:\n${r.stderr}\n`);
    return `failed: ${why}`;
  }
  return JSON.parse(lastLine(r.stdout)) as Measured;
}

function runPythonRow(workload: Workload, framework: 'torch' | 'torch2' | 'numpy', dir: string): Row {
  const threads = framework === 'torch2' ? 2 : 1;
  const module = framework === 'numpy' ? 'numpy' : 'torch';
  const base =
    framework === 'numpy' ? "numpy (the book's code), 1 thread" : `PyTorch, ${threads} thread${threads > 1 ? 's' : ''}`;
  if (framework === 'numpy' && workload.numpy !== true)
    return { framework, label: base, reason: workload.numpy.pending };
  const exe = python(module);
  if (exe === undefined) {
    const reason =
      module === 'torch'
        ? 'no python3 with torch here (as root, GRAPHGRAD_BENCH=1 bash scripts/setup.sh installs python3-torch)'
        : 'no python3 with numpy here (bash scripts/setup.sh installs python3-numpy)';
    return { framework, label: base, reason };
  }
  const script = join(here, 'workloads', 'runner.py');
  const result = spawnMeasured(
    exe,
    [
      script,
      workload.python.replace(/\.py$/, ''),
      framework === 'numpy' ? 'numpy' : 'torch',
      dir,
      '--steps',
      String(workload.steps),
      '--warmup',
      String(workload.warmup),
      '--group',
      String(workload.group),
      '--threads',
      String(threads),
      '--clock',
      threads > 1 ? 'wall' : 'cpu',
    ],
    {
      OPENBLAS_NUM_THREADS: String(threads),
      OMP_NUM_THREADS: String(threads),
      // The workload modules are imported: no __pycache__ left in bench/workloads/.
      PYTHONDONTWRITEBYTECODE: '1',
      // Waiting OpenMP threads sleep instead of spinning: on a machine shared with other processes a
      // spinning thread holds a core that another thread of the same step needs (bench/README.md).
      ...(threads > 1 ? { OMP_WAIT_POLICY: 'PASSIVE' } : {}),
    },
  );
  if (typeof result === 'string') return { framework, label: base, reason: result };
  const label =
    framework === 'numpy'
      ? `numpy ${result.version} (the book's code), 1 thread`
      : `PyTorch ${result.version}, ${threads} thread${threads > 1 ? 's' : ''} (${result.blas})`;
  return { framework, label, measured: result };
}

function runNodeRow(workload: Workload, framework: NodeFramework, dir: string): Row {
  const side = framework === 'jax-js' ? workload.jaxjs : workload.graphgrad;
  const base =
    framework === 'jax-js'
      ? 'jax-js wasm, jit'
      : `graphgrad (cpu), ${framework === 'graphgrad2' ? '2 threads' : '1 thread'}`;
  if (isPending(side)) return { framework, label: base, reason: side.pending };
  const result = spawnMeasured(
    process.execPath,
    ['--import', 'tsx', self, '--child', workload.name, framework, dir],
    {},
  );
  if (typeof result === 'string') return { framework, label: base, reason: result };
  const label = framework === 'jax-js' ? `jax-js ${result.version} wasm, jit` : base;
  return { framework, label, measured: result };
}

const MiB = 1024 * 1024;

function mib(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${fmt(bytes / MiB, 3)} MiB`;
}

/** One workload's result, for the summary. */
interface Outcome {
  readonly workload: Workload;
  readonly rows: readonly Row[];
  readonly mismatches: readonly string[];
}

function relativeDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
}

/** Where two runs part: the largest relative difference over the compared steps' losses (or of the check value). */
function compare(workload: Workload, m: Measured, r: Measured): { diff: number; where: string } {
  if (m.losses.length === 0 || r.losses.length === 0)
    return { diff: relativeDiff(m.final, r.final), where: 'check value' };
  const k = workload.compareSteps ?? workload.steps;
  if (m.losses.length < k || r.losses.length < k) return { diff: Infinity, where: `fewer than ${k} losses` };
  let diff = 0;
  let where = 'step 1';
  for (let i = 0; i < k; i++) {
    const d = relativeDiff(m.losses[i], r.losses[i]);
    if (!(d <= diff)) [diff, where] = [d, `step ${i + 1}`];
  }
  return { diff, where };
}

/** graphgrad's row that `row` is compared with: the one with as many threads. */
function oursFor(rows: readonly Row[], row: Row): Measured | undefined {
  const framework = TWO_THREADS.includes(row.framework) ? 'graphgrad2' : 'graphgrad';
  return rows.find((r) => r.framework === framework)?.measured;
}

function report(workload: Workload, rows: readonly Row[]): Outcome {
  const ref = rows.find((r) => r.framework === 'torch' && r.measured) ?? rows.find((r) => r.measured);
  const k = workload.compareSteps ?? workload.steps;
  const hasLoss = rows.some((r) => (r.measured?.losses.length ?? 0) > 0);
  const mismatches: string[] = [];
  const checked = rows.map((row) => {
    const m = row.measured;
    if (m === undefined || ref?.measured === undefined || row === ref) return { row, cell: 'reference', ok: true };
    const { diff, where } = compare(workload, m, ref.measured);
    const ok = diff <= workload.tolerance;
    const at = (x: Measured) =>
      hasLoss ? `${fmt(x.losses[0], 7)} at step 1, ${fmt(x.losses[k - 1], 7)} at step ${k}` : fmt(x.final, 7);
    if (!ok) {
      mismatches.push(
        `${workload.name}: ${row.label} gives ${at(m)}; ${ref.label} gives ${at(ref.measured)}: ` +
          `relative difference ${diff.toExponential(2)} (largest at ${where}) > ${workload.tolerance}`,
      );
    }
    return { row, cell: `${diff.toExponential(1)}${ok ? ' ok' : ' ✗ MISMATCH'}`, ok };
  });
  const timed = (m: Measured) => median(m.samples);
  const lossHeaders = hasLoss
    ? ['loss at step 1', `loss at step ${k}`, ...(k < workload.steps ? [`loss at step ${workload.steps}`] : [])]
    : ['check value'];
  const lossCells = (m: Measured) =>
    hasLoss
      ? [m.losses[0], m.losses[k - 1], ...(k < workload.steps ? [m.losses[workload.steps - 1]] : [])].map((v) =>
          fmt(v, 7),
        )
      : [fmt(m.final, 7)];
  const samples = Math.ceil((workload.steps - workload.warmup) / workload.group);
  printTable(
    `${workload.name}: ${workload.title}; ${workload.steps} steps, median of ${samples} samples of ${workload.group} step${workload.group > 1 ? 's' : ''} after ${workload.warmup} untimed`,
    [
      'framework',
      'ms / step',
      'clock',
      'peak RSS growth',
      'peak external growth',
      ...lossHeaders,
      `max rel. Δ vs ${ref?.framework ?? 'reference'}${hasLoss ? `, steps 1–${k}` : ''}`,
      'graphgrad / this (as many threads)',
    ],
    checked.map(({ row, cell, ok }) => {
      const m = row.measured;
      const ours = oursFor(rows, row);
      if (m === undefined) return [row.label, '— (below)'];
      return [
        row.label,
        fmt(timed(m)),
        m.clock === 'cpu' ? 'CPU' : `wall (CPU ${fmt(m.cpuMedian)})`,
        `${mib(m.peakRss)}${m.rssMethod === 'VmHWM' ? '' : ` (${m.rssMethod})`}`,
        mib(m.peakExternal),
        ...lossCells(m),
        cell,
        !ok ? '✗ wrong loss' : ours === undefined ? '—' : fmtRatio(timed(ours) / timed(m)),
      ];
    }),
  );
  for (const row of rows) if (row.measured === undefined) console.log(`— ${row.label}: ${row.reason ?? 'not run'}`);
  if (workload.compareNote !== undefined) console.log(`note: ${workload.compareNote}`);
  console.log();
  for (const line of mismatches) {
    const banner = '!'.repeat(100);
    console.log(`${banner}\nLOSS MISMATCH: ${line}\nThat row's time is no valid comparison.\n${banner}`);
    process.stderr.write(`bench: LOSS MISMATCH: ${line}\n`);
  }
  return { workload, rows, mismatches };
}

function summary(outcomes: readonly Outcome[]): void {
  const cell = (o: Outcome, f: Framework) => {
    const row = o.rows.find((r) => r.framework === f);
    if (row === undefined) return 'not run';
    if (row.measured === undefined) return '—';
    if (o.mismatches.some((m) => m.includes(row.label))) return '✗ wrong loss';
    const ours = oursFor(o.rows, row);
    return ours === undefined ? '—' : fmtRatio(median(ours.samples) / median(row.measured.samples));
  };
  const time = (o: Outcome, f: Framework) => {
    const row = o.rows.find((r) => r.framework === f);
    return row === undefined ? 'not run' : row.measured ? fmt(median(row.measured.samples)) : '—';
  };
  printTable(
    'summary: graphgrad time / each reference with as many threads (median per step; < 1× means graphgrad is faster; — where a side is pending or missing)',
    [
      'workload',
      'graphgrad 1 thread, ms / step',
      'vs PyTorch 1 thread',
      'vs jax-js wasm',
      'vs numpy 1 thread',
      'graphgrad 2 threads, ms / step (wall)',
      'vs PyTorch 2 threads',
      'losses',
    ],
    outcomes.map((o) => [
      o.workload.name,
      time(o, 'graphgrad'),
      cell(o, 'torch'),
      cell(o, 'jax-js'),
      cell(o, 'numpy'),
      time(o, 'graphgrad2'),
      cell(o, 'torch2'),
      o.mismatches.length === 0 ? 'agree' : `${o.mismatches.length} MISMATCH`,
    ]),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childAt = args.indexOf('--child');
  if (childAt >= 0) {
    const [name, framework, dir] = args.slice(childAt + 1);
    if (framework !== 'graphgrad' && framework !== 'graphgrad2' && framework !== 'jax-js')
      throw new Error(`--child: unknown framework ${framework}`);
    await runChild(name, framework, dir);
    return;
  }
  const wanted = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--frameworks');
  for (const w of wanted) if (!WORKLOADS.some((x) => x.name === w)) throw new Error(`bench: no workload ${w}`);
  const only = flagValue('--frameworks')?.split(',');
  const frameworks = FRAMEWORKS.filter((f) => only === undefined || only.includes(f));
  const workloads = WORKLOADS.filter((w) => wanted.length === 0 || wanted.includes(w.name));
  console.log(machineLine());
  console.log(
    "workloads: each framework in a process of its own, from the same initial weights over the same minibatches; one thread timed by the process's CPU time, two by elapsed time",
  );
  setBackend(cpuBackend()); // the data sets some workloads start from are graphgrad's
  const outcomes: Outcome[] = [];
  for (const workload of workloads) {
    const dir = mkdtempSync(join(tmpdir(), `graphgrad-bench-${workload.name}-`));
    try {
      writeData(dir, workload.data());
      const rows: Row[] = [];
      for (const f of frameworks) {
        if (TWO_THREADS.includes(f) && !workload.multithread) continue;
        process.stderr.write(`  ${workload.name}: ${f}\n`);
        rows.push(
          f === 'torch' || f === 'torch2' || f === 'numpy'
            ? runPythonRow(workload, f, dir)
            : runNodeRow(workload, f, dir),
        );
      }
      outcomes.push(report(workload, rows));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (workloads.length > 1) summary(outcomes);
  console.log(reproduceLine(self, args));
  if (outcomes.some((o) => o.mismatches.length > 0)) {
    console.error('bench: some losses disagree with the reference (see LOSS MISMATCH above)');
    process.exitCode = 1;
  }
}

await main();
