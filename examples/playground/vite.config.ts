import { defineConfig } from 'vite';

// The page imports graphgrad's packages as TypeScript source (the workspace has no build step);
// Vite compiles them with the page. Relative asset paths let the built folder be served anywhere.
export default defineConfig({
  base: './',
  build: {
    // Graphviz arrives as WebAssembly inside @viz-js/viz's bundle, well over Vite's size warning.
    chunkSizeWarningLimit: 4096,
  },
});
