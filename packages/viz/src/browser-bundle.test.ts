import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

// The graph pictures are meant for browsers too (a playground draws the model it trains): bundled
// for the browser, @graphgrad/viz, and the core it draws from, must not pull in Node.js modules.
// Graphviz comes along as WebAssembly inside @viz-js/viz.
it('@graphgrad/viz bundles for the browser without Node.js modules', async () => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  const code = result.outputFiles[0].text;
  expect(code).not.toMatch(/from\s+"node:|import\("node:|require\("(fs|path|os|child_process)"\)/);
  expect(code).toMatch(/core\/src\/shape\.ts/);
  expect(code).toMatch(/to-dot\.ts/);
  expect(code).toMatch(/@viz-js\/viz/);
});
