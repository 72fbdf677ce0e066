/**
 * Runs every CPU benchmark in bench/ (each `bench/*.ts` except the shared helpers), one process
 * each so that one benchmark's JIT state and garbage do not colour the next. `npm run bench` calls
 * it after the set-up.
 *
 *   node --import tsx bench/run.ts [name ...]      e.g. `bench/run.ts overhead spiral-train`
 *
 * A new benchmark is a new `bench/<name>.ts` that prints its own table (with bench/harness.ts);
 * a helper shared by benchmarks is listed in HELPERS below. bench/gpu/ needs a GPU and runs apart.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './harness.ts';

/** Modules in bench/ that are not benchmarks. */
const HELPERS = new Set(['harness.ts', 'run.ts', 'tfjs.ts', 'backend-probe.ts', 'spiral-plain-js.ts']);
/** Benchmarks run first, in this order; any other file follows alphabetically. */
const ORDER = ['overhead', 'spiral-train', 'matmul', 'elementwise', 'workloads'];

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const found = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && !HELPERS.has(f))
  .map((f) => f.slice(0, -3));
const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = found
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
for (const w of wanted) if (!found.includes(w)) console.error(`bench: no benchmark bench/${w}.ts`);

console.log(machineLine());
console.log(`benchmarks: ${names.join(', ')}`);
const failed: string[] = [];
for (const name of names) {
  const file = relative(root, join(here, `${name}.ts`));
  console.log(`\n=== ${name} (node --import tsx ${file}) ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${name} (exit ${r.status ?? r.signal})`);
}
if (failed.length > 0) {
  console.error(`\nbench: failed: ${failed.join(', ')}`);
  process.exit(1);
}
