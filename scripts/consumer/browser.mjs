// The entry of a user's browser bundle: graphgrad's whole public API and the WebGPU backend (every
// export, so nothing is tree-shaken away), bundled by bundle.mjs for a browser.
export * from 'graphgrad';
export * from '@graphgrad/gpu';
