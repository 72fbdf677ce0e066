/**
 * @graphgrad/datasets: small data sets generated in code, seedable, with no files to download.
 * Browser-safe (no Node-only imports).
 * @module @graphgrad/datasets
 */
export { loadSpiral, type Spiral, type SpiralOptions } from './spiral.ts';
