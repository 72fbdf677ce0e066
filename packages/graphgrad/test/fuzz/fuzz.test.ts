// The bad-input fuzzer: fast-check hands every public function plausible and hostile arguments on
// every backend. Each call must return a healthy result, or throw a GraphgradError with a bounded
// message, having changed nothing (tensors, gradients, versions, live buffers). Counterexamples it
// found are kept in counterexamples.ts and run first.
import fc from 'fast-check';
import { testBackends } from '@graphgrad/test-backends';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../src/index.ts';
import { cpuBackend, type Backend } from '../../src/index.ts';
import { FUZZ_ENTRIES, NOT_FUZZED } from './api.ts';
import { COUNTEREXAMPLES } from './counterexamples.ts';
import { FUZZ_DIR, slotArbitrary } from './hostile.ts';
import { runCall } from './run-call.ts';

const RUNS = 60;
const backends = await testBackends();

// A path drawn as any string is relative: the calls run in the fuzzer's own temporary folder, so a
// file one of them writes (save, saveFile) lands there and goes with it.
const home = process.cwd();
beforeAll(() => process.chdir(FUZZ_DIR));
afterAll(() => {
  process.chdir(home);
  rmSync(FUZZ_DIR, { recursive: true, force: true });
});

describe.each(backends)('bad input on $name', ({ backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'every public function', () => {
    const on = backend as Backend;
    const other = cpuBackend();

    it.each(COUNTEREXAMPLES.map((c) => ({ ...c, title: `${c.entry}: ${c.why}` })))(
      'kept counterexample, $title',
      async (c) => {
        const entry = FUZZ_ENTRIES.find((e) => e.name === c.entry)!;
        await runCall(`${c.entry} ${describeRecipes(c.recipes)}`, on, other, c.recipes, entry.call!);
      },
    );

    it.each(FUZZ_ENTRIES.map((e) => ({ e, title: e.name })))('$title', async ({ e }) => {
      const outcomes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.tuple(...e.slots.map(slotArbitrary)), async (recipes) => {
          const label = `${e.name} ${describeRecipes(recipes)}`;
          const outcome = await runCall(label, on, other, recipes, e.call!);
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }),
        { numRuns: RUNS, seed: seedOf(e.name) },
      );
      if (e.total) {
        // A total function answers everything.
        expect([...outcomes.keys()], `${e.name}: a total function refused a call`).toEqual(['ok']);
      } else {
        // The arguments reached the function: some calls were refused, for a reason of its own.
        expect(
          [...outcomes.keys()].some((o) => o !== 'ok'),
          `${e.name}: every call succeeded`,
        ).toBe(true);
      }
    });
  });
});

describe('the fuzzer', () => {
  it('covers every function graphgrad exports, or says why not', () => {
    const functions = Object.entries(api)
      .filter(([name, value]) => typeof value === 'function' && /^[a-z]/.test(name))
      .map(([name]) => name);
    const covered = new Set([...FUZZ_ENTRIES.map((e) => e.name), ...Object.keys(NOT_FUZZED)]);
    expect(functions.filter((name) => !covered.has(name))).toEqual([]);
    expect([...covered].filter((name) => !functions.includes(name))).toEqual([]);
  });
});

/** Recipes as a failure's label shows them (a BigInt as `10n`), cut short. */
function describeRecipes(recipes: unknown): string {
  return JSON.stringify(recipes, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)).slice(0, 300);
}

/** A stable seed per function, so a failure reproduces. */
function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h | 0;
}
