/**
 * @graphgrad/datasets: small data sets generated in code, seedable, with no files to download.
 * Browser-safe (no Node-only imports).
 * @packageDocumentation
 */
export { loadSpiral, type Spiral, type SpiralOptions } from './spiral.ts';
