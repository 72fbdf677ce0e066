/**
 * @graphgrad/viz: the recorded computational graph of a tensor as a picture, the way the book
 * draws its computational graphs: `toDot` writes Graphviz DOT, `renderSvg` lays it out with
 * Graphviz compiled to WebAssembly (in Node and in browsers).
 * @module @graphgrad/viz
 */
export { renderSvg, type LayoutEngine, type RenderOptions } from './render-svg.ts';
export { toDot, type DotOptions } from './to-dot.ts';
