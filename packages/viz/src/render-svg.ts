import { ArgumentError } from '@graphgrad/core';
import type { Viz } from '@viz-js/viz';

let viz: Promise<Viz> | null = null;

/** Graphviz compiled to WebAssembly, loaded once on first use (it runs in Node and in browsers). */
function graphviz(): Promise<Viz> {
  viz ??= import('@viz-js/viz').then((module) => module.instance());
  return viz;
}

/** Graphviz's layout engines that `renderSvg` accepts. */
export type LayoutEngine = 'dot' | 'neato' | 'fdp' | 'sfdp' | 'circo' | 'twopi' | 'osage' | 'patchwork';

/** Options of `renderSvg`. */
export interface RenderOptions {
  /** The Graphviz layout engine (default `'dot'`, the layered layout of the book's figures). */
  readonly engine?: LayoutEngine;
}

/**
 * Lays out a DOT graph with Graphviz (the `@viz-js/viz` WebAssembly build) and returns the SVG
 * document as a string. DOT that Graphviz cannot read is an `ArgumentError` carrying Graphviz's
 * own messages.
 *
 * @example
 * const svg = await renderSvg(toDot(loss));
 * await writeFile('out/loss.svg', svg);
 */
export async function renderSvg(dot: string, options: RenderOptions = {}): Promise<string> {
  const instance = await graphviz();
  const result = instance.render(dot, { format: 'svg', engine: options.engine ?? 'dot' });
  if (result.status === 'failure') {
    const messages = result.errors.map((e) => e.message.trim()).join('; ');
    throw new ArgumentError(`renderSvg: Graphviz could not lay out the graph: ${messages || 'no message'}`);
  }
  return result.output;
}
