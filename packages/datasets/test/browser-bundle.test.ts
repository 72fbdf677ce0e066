import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('@graphgrad/datasets in a browser', () => {
  it('bundles for the browser without Node.js modules', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0].text).not.toMatch(/from\s+"node:|import\("node:|require\("(fs|path)"\)/);
  });
});
