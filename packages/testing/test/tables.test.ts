import { AddNode, AliasNode, BroadcastToNode, KERNEL_NAMES, SumToNode } from '@graphgrad/core';
import * as nodes from '@graphgrad/nodes';
import { describe, expect, it } from 'vitest';
import { EXEMPT, KERNEL_CASES, type Coverage } from '../src/kernel-cases.ts';
import { NODE_CASES } from '../src/node-cases.ts';

describe('the kernel table', () => {
  const CLASSES: readonly Coverage[] = ['scalar', 'odd', 'broadcast', 'size0', 'rank4', 'special', 'view', 'int32'];

  it('has a case for every kernel of the backend interface', () => {
    const missing = KERNEL_NAMES.filter((name) => !KERNEL_CASES.some((c) => c.kernel === name));
    expect(missing).toEqual([]);
  });

  it('covers every class of input for every kernel, except the documented exemptions', () => {
    const gaps = KERNEL_NAMES.flatMap((name) =>
      CLASSES.filter(
        (cls) =>
          EXEMPT[name]?.[cls] === undefined && !KERNEL_CASES.some((c) => c.kernel === name && c.covers.includes(cls)),
      ).map((cls) => `${name}: ${cls}`),
    );
    expect(gaps).toEqual([]);
  });

  it('names each case once per kernel', () => {
    const titles = KERNEL_CASES.map((c) => `${c.kernel}: ${c.name}`);
    expect(new Set(titles).size).toBe(titles.length);
  });
});

describe('the node table', () => {
  it('has a case for every node kind of @graphgrad/nodes and of the engine in core', () => {
    const exported = Object.entries(nodes)
      .filter(([name]) => name.endsWith('Node'))
      .map(([, kind]) => (kind as { spec: { kind: string } }).spec.kind);
    const kinds = [...exported, ...[AddNode, AliasNode, BroadcastToNode, SumToNode].map((k) => k.spec.kind)];
    expect(kinds.length).toBeGreaterThan(20);
    expect(kinds.filter((k) => !NODE_CASES.some((c) => c.kind === k))).toEqual([]);
  });
});
