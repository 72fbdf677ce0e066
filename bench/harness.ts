/**
 * The shared benchmark harness: time a function (warm-up, then the median of several runs), print a
 * table with ratios against a reference measured in the same run, say which machine ran it and the
 * command that reproduces it, and run a Python (numpy) reference script that times itself.
 *
 * ```ts
 * import { measure, printTable, machineLine, reproduceLine } from './harness.ts';
 * const ours = measure('add 2x2', () => add(a, b), { warmup: 100, runs: 9, inner: 1000 });
 * const ref = measure('plain', () => plainAdd(x, y), { warmup: 100, runs: 9, inner: 1000 });
 * console.log(machineLine());
 * printTable('2x2 add', ['what', 'ns / call', 'ratio'], [['graphgrad', ours * 1e6, ours / ref]]);
 * console.log(reproduceLine('bench/overhead.ts'));
 * ```
 *
 * Node-only (it reads `os.cpus()` and spawns python3); the packages never import it.
 */
import { spawnSync } from 'node:child_process';
import { cpus, platform, arch } from 'node:os';

/** How a measurement is taken. */
export interface MeasureOptions {
  /** Untimed calls of `fn` before the timed runs (JIT warm-up). Default 3. */
  readonly warmup?: number;
  /** Timed runs; the median is reported. Default 7. */
  readonly runs?: number;
  /** Calls of `fn` inside one timed run (for calls far shorter than a millisecond). Default 1. */
  readonly inner?: number;
  /** When set, print `name: median ms (min … max)` to stderr as the measurement finishes. */
  readonly verbose?: boolean;
  /** The clock: `'wall'` (default, `performance.now()`) or `'cpu'` (see {@link clockMs}). */
  readonly clock?: Clock;
}

/**
 * `'wall'`: elapsed time. `'cpu'`: the process's CPU time (user + system, `process.cpuUsage()`),
 * which time slices lost to other processes on a shared machine do not inflate; it includes the
 * process's helper threads (garbage collection, compilation). Python's counterpart is
 * `time.process_time()`.
 */
export type Clock = 'wall' | 'cpu';

/** The current reading of `clock`, in milliseconds. */
export function clockMs(clock: Clock = 'wall'): number {
  if (clock === 'wall') return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The distribution of one measurement, in milliseconds per call of `fn`. */
export interface Timing {
  readonly name: string;
  /** Median over the runs, milliseconds per call. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Every run's milliseconds per call, in the order taken. */
  readonly samples: readonly number[];
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timingOf(name: string, samples: number[], verbose: boolean): Timing {
  const t: Timing = { name, median: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples };
  if (verbose) process.stderr.write(`  ${name}: ${fmt(t.median)} ms (${fmt(t.min)} … ${fmt(t.max)})\n`);
  return t;
}

/**
 * Times a synchronous `fn`: `warmup` untimed calls, then `runs` timed runs of `inner` calls each.
 * Returns the full distribution; {@link measure} returns only its median.
 */
export function measureTiming(name: string, fn: () => unknown, options: MeasureOptions = {}): Timing {
  const { warmup = 3, runs = 7, inner = 1, verbose = false, clock = 'wall' } = options;
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = clockMs(clock);
    for (let i = 0; i < inner; i++) fn();
    samples.push((clockMs(clock) - start) / inner);
  }
  return timingOf(name, samples, verbose);
}

/** Median milliseconds per call of a synchronous `fn` (see {@link MeasureOptions}). */
export function measure(name: string, fn: () => unknown, options: MeasureOptions = {}): number {
  return measureTiming(name, fn, options).median;
}

/** Times an asynchronous `fn` (awaited each call): the distribution, as {@link measureTiming}. */
export async function measureTimingAsync(
  name: string,
  fn: () => Promise<unknown>,
  options: MeasureOptions = {},
): Promise<Timing> {
  const { warmup = 3, runs = 7, inner = 1, verbose = false, clock = 'wall' } = options;
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = clockMs(clock);
    for (let i = 0; i < inner; i++) await fn();
    samples.push((clockMs(clock) - start) / inner);
  }
  return timingOf(name, samples, verbose);
}

/** Median milliseconds per call of an asynchronous `fn`. */
export async function measureAsync(
  name: string,
  fn: () => Promise<unknown>,
  options: MeasureOptions = {},
): Promise<number> {
  return (await measureTimingAsync(name, fn, options)).median;
}

/** A number with about four significant digits, as a table prints it (`—` for a missing value). */
export function fmt(value: number | undefined | null, digits = 4): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toExponential(digits - 1);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs || 1)));
  return value.toFixed(Math.min(decimals, 6));
}

/** A ratio as a table prints it: `0.123×`. */
export function fmtRatio(value: number | undefined | null): string {
  return value === undefined || value === null || !Number.isFinite(value) ? '—' : `${fmt(value, 3)}×`;
}

/** One table cell: a string as is, a number through {@link fmt}, a missing value as `—`. */
export type Cell = string | number | undefined | null;

/** Prints a titled, column-aligned table (markdown-style, so it pastes into bench/README.md). */
export function printTable(title: string, headers: readonly string[], rows: readonly (readonly Cell[])[]): void {
  const text = rows.map((row) => headers.map((_, i) => (typeof row[i] === 'number' ? fmt(row[i]) : (row[i] ?? '—'))));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(headers));
  console.log(`| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ')} |`);
  for (const r of text) console.log(line(r));
  console.log();
}

/** The machine in one line: CPU model, logical cores, Node version, platform. */
export function machineLine(): string {
  const list = cpus();
  const model = list[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown CPU';
  const mhz = list[0]?.speed ? `, ${list[0].speed} MHz` : '';
  return `machine: ${model} × ${list.length} logical cores${mhz}; Node ${process.version}; ${platform()} ${arch()}`;
}

/** The command that reproduces a benchmark file, e.g. `node --import tsx bench/overhead.ts`. */
export function reproduceLine(file: string, args: readonly string[] = []): string {
  return `reproduce: node --import tsx ${file}${args.length ? ' ' + args.join(' ') : ''}`;
}

/** Whether `--name` was passed on the command line. */
export function hasFlag(name: string): boolean {
  return process.argv.includes(name);
}

/** The value after `--name` on the command line, if any. */
export function flagValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/**
 * The python3 to use for a reference that needs `module` (default numpy): `$PYTHON` when set, else
 * the first of python3 / /usr/bin/python3 that imports it. Debian's python3-torch, for one, is
 * installed for /usr/bin/python3 only, while numpy may come from another python3 earlier on the PATH.
 */
export function python(module = 'numpy'): string | undefined {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  for (const exe of candidates) {
    const r = spawnSync(exe, ['-c', `import ${module}`], { stdio: 'ignore' });
    if (r.status === 0) return exe;
  }
  return undefined;
}

/**
 * Runs a Python reference script that times itself and prints one JSON object as its last line of
 * stdout; returns that object, or `undefined` (with a note on stderr) when python3 with numpy is
 * missing or the script fails.
 */
export function runPython<T = Record<string, unknown>>(
  script: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): T | undefined {
  const exe = python();
  if (exe === undefined) {
    process.stderr.write(
      'bench: python3 with numpy not found; the numpy reference is skipped (bash scripts/setup.sh installs it)\n',
    );
    return undefined;
  }
  const r = spawnSync(exe, [script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    process.stderr.write(`bench: ${script} failed (${r.status}):\n${r.stderr}\n`);
    return undefined;
  }
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
