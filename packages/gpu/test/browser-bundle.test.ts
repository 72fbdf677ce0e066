import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// In a browser the backend runs on navigator.gpu: bundled for the browser, it must not pull in
// the `webgpu` package (Dawn's Node addon) or any Node.js module, which it imports only when
// navigator.gpu is absent.
describe('@graphgrad/gpu in a browser', () => {
  it('bundles for the browser without the webgpu package or Node.js modules', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0].text;
    expect(code).not.toMatch(/dawn\.node|node_modules\/webgpu/);
    expect(code).not.toMatch(/from\s+"node:|import\("node:|require\("(fs|path|module|url)"\)/);
    expect(code).toMatch(/navigator/);
    expect(code).toMatch(/createWebGPUBackend/);
  });
});
