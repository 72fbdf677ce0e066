/**
 * The API reference must cover every public symbol: typedoc's validation (an exported symbol
 * without TSDoc, a symbol referenced but not exported, a broken {@link}) fails `npm run docs`, and
 * this test runs the same check without writing the HTML.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('typedoc finds TSDoc on every exported symbol and no broken link', () => {
  const root = join(import.meta.dirname, '..');
  const run = spawnSync(join(root, 'node_modules', '.bin', 'typedoc'), ['--emit', 'none'], {
    cwd: root,
    encoding: 'utf8',
  });
  const output = `${run.stdout}${run.stderr}`.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  expect(output).not.toMatch(/\[(warning|error)\]/);
  expect(run.status, output).toBe(0);
});
