import { formatShape, type Shape } from '@graphgrad/core';

/** One module of the tree, as the summary shows it. */
interface SummaryRow {
  /** Dotted path (`''` for the root). */
  readonly name: string;
  /** How many modules enclose it, below the root (0 for the root's children). */
  readonly depth: number;
  /** The class name. */
  readonly type: string;
  /** Output shapes of the latest `call`, or null before one. */
  readonly outputShapes: readonly Shape[] | null;
  /** Parameter elements in the module's subtree. */
  readonly parameters: number;
}

/**
 * The Keras-style summary of a module tree: one line per submodule (indented by depth) with its
 * type, latest output shape and parameter count, then the total.
 */
export function summary(title: string, rows: readonly SummaryRow[], total: number): string {
  const shown = (shapes: readonly Shape[] | null): string =>
    shapes === null ? '?' : shapes.map(formatShape).join(' ');
  const root = rows.find((r) => r.name === '');
  const lines = rows
    .filter((r) => r.name !== '')
    .map((r) => [
      `${'  '.repeat(r.depth)}${r.name} (${r.type})`,
      shown(r.outputShapes),
      r.parameters.toLocaleString('en-US'),
    ]);
  const header = ['layer (type)', 'output shape', 'params'];
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const output = root?.outputShapes != null ? ` → ${shown(root.outputShapes)}` : '';
  return [
    `${title}${output}`,
    format(header),
    rule,
    ...lines.map(format),
    rule,
    `total parameters: ${total.toLocaleString('en-US')}`,
  ].join('\n');
}
