/**
 * The model's computational graph as a picture: @graphgrad/viz's DOT, laid out by Graphviz
 * (WebAssembly, loaded on first use) into an SVG placed in the page.
 */
import { renderSvg } from '@graphgrad/viz';

/**
 * Renders `dot` and shows it in `container`, replacing what was there.
 *
 * @example
 * await showGraph(document.querySelector('#graph')!, session.lossGraphDot());
 */
export async function showGraph(container: HTMLElement, dot: string): Promise<void> {
  const svg = await renderSvg(dot);
  // Graphviz's own document: parsed as SVG, not injected as HTML, then adopted into the page.
  const document_ = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const root = document_.documentElement;
  if (root.nodeName === 'svg') container.replaceChildren(document.importNode(root, true));
  else container.textContent = `Graphviz returned no picture (<${root.nodeName}>)`;
}
