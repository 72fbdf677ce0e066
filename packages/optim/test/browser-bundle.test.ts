import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// The main entry must load in a browser (a playground will use it): bundled for the browser, it
// resolves the "#default-progress" and "#save-file" imports to their browser versions, so neither
// cli-progress nor any Node.js module is in the bundle.
describe('@graphgrad/optim in a browser', () => {
  it('bundles for the browser without Node.js modules or the terminal progress bar', async () => {
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
    expect(code).not.toMatch(/cli-progress|terminal-progress|save-file\.ts/);
    expect(code).not.toMatch(/from\s+"node:|import\("node:|require\("(fs|path|readline|tty)"\)/);
    expect(code).toMatch(/save-file-browser\.ts/);
    expect(code).toMatch(/line-progress\.ts/);
  });
});
