// docs/ops.md has a row for every exported operation, and every operation with a gradient there
// has a gradient property test (gradient-cases/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nodes from '../src/index.ts';
import { CASES } from './gradient-cases/index.ts';

const page = readFileSync(join(import.meta.dirname, '../../../docs/ops.md'), 'utf8');
const rows = new Map(
  [...page.matchAll(/^\| `(\w+)` +\|[^|]+\|[^|]+\|[^|]+\| *([^|]+?) *\|$/gm)].map(([, name, gradient]) => [
    name,
    gradient,
  ]),
);

/** Exported functions of @graphgrad/nodes that are operations (not argument helpers or layers). */
const HELPERS = new Set(['scalarLike', 'gradsOf', 'loadTensors', 'fromPyTorch']);
const ops = Object.entries(nodes)
  .filter(([name, value]) => typeof value === 'function' && /^[a-z]/.test(name) && !HELPERS.has(name))
  .map(([name]) => name);
// The operations the engine records itself are core's, exported by graphgrad too.
const coreOps = ['broadcastTo', 'sumTo'];

describe('docs/ops.md', () => {
  it('has a row for every operation graphgrad exports', () => {
    expect(ops.length).toBeGreaterThan(20);
    expect([...ops, ...coreOps].filter((op) => !rows.has(op))).toEqual([]);
  });

  it('lists only operations that exist', () => {
    expect([...rows.keys()].filter((op) => !ops.includes(op) && !coreOps.includes(op))).toEqual([]);
  });

  it('has a gradient property test for every operation with a gradient', () => {
    const tested = (op: string): boolean => CASES.some((c) => c.name === op || c.name.startsWith(`${op} `));
    const untested = [...rows].filter(([op, gradient]) => gradient !== 'none' && !tested(op)).map(([op]) => op);
    expect(untested).toEqual([]);
  });
});
