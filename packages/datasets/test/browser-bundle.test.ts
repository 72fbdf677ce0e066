import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

// The main entry must load in a browser: bundled for the browser, the "#data-file" import resolves
// to its browser version, so no Node.js module is in the bundle, and the file loaders say what to
// call on fetched text instead.
describe('@graphgrad/datasets in a browser', () => {
  it('bundles for the browser without Node.js modules', async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0].text;
    expect(code).not.toMatch(/from\s+"node:|import\("node:|require\("(fs|path)"\)/);
    expect(code).not.toMatch(/process\.env|data-file\.ts/);
    expect(code).toMatch(/data-file-browser\.ts/);
  });

  it('runs bundled: the helpers work and the file loaders explain what to do instead', async () => {
    const result = await build({
      stdin: {
        contents: `
          import { DataFileError, generateAddition, loadPtb, loadSequence, parseSequence, preprocess } from ${JSON.stringify(entry)};
          const failure = (promise) => promise.then(() => null, (e) => ({ name: e.name, typed: e instanceof DataFileError, message: e.message }));
          console.log(JSON.stringify({
            corpus: Array.from(preprocess('You say goodbye and I say hello.').corpus),
            rows: parseSequence(generateAddition(10, { seed: 1 })).train.x.shape,
            ptb: await failure(loadPtb('valid', { dir: 'ptb' })),
            sequence: await failure(loadSequence('date')),
          }));`,
        resolveDir: fileURLToPath(new URL('.', import.meta.url)),
        loader: 'js',
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    // Run in a separate Node.js process: the bundle holds only the browser code.
    const run = spawnSync(process.execPath, ['--input-type=module'], {
      input: result.outputFiles[0].text,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report.corpus).toEqual([0, 1, 2, 3, 4, 1, 5, 6]);
    expect(report.rows).toEqual([9, 7]);
    expect(report.ptb).toEqual({
      name: 'DataFileError',
      typed: true,
      message:
        'loadPtb: cannot read ptb.valid.txt: reading files needs Node.js; in a browser fetch the text and give ptbWords(text) to Vocabulary.encode',
    });
    expect(report.sequence).toMatchObject({
      typed: true,
      message: expect.stringContaining('give it to parseSequence') as string,
    });
  });
});
