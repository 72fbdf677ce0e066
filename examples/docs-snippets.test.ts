/**
 * Runs every `ts` code block of the documentation (docs/*.md and CONTRIBUTING.md), so the pages
 * cannot drift from the API. A block marked `ts no-run` (one that needs a GPU or a browser) is
 * only shown. Each block runs as its own module, written next to this file so that it resolves
 * the workspace packages as an example would (as .mts files, which the type check, reading only
 * .ts files, ignores should a run leave them behind).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const DOCS = join(ROOT, 'docs');
const SNIPPETS = join(import.meta.dirname, '.doc-snippets');
const CONCEPT_PAGES = [
  'tensors-and-dtypes',
  'the-tape',
  'writing-a-node',
  'backends',
  'training',
  'gradient-checking',
  'errors',
];

const pages = [
  ...readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(DOCS, f)),
  join(ROOT, 'CONTRIBUTING.md'),
];
const blocks = pages.flatMap((page) =>
  [...readFileSync(page, 'utf8').matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m, i) => ({
    name: `${page.slice(ROOT.length + 1)} #${i + 1}`,
    file: join(SNIPPETS, `${page.slice(ROOT.length + 1).replace(/[/.]/g, '-')}-${i + 1}.mts`),
    code: m[1],
  })),
);

mkdirSync(SNIPPETS, { recursive: true });
mkdirSync(join(ROOT, 'out'), { recursive: true });
afterAll(() => rmSync(SNIPPETS, { recursive: true, force: true }));

describe('the documentation', () => {
  it('has a page for every concept, linked from its index', () => {
    const index = readFileSync(join(DOCS, 'README.md'), 'utf8');
    for (const page of CONCEPT_PAGES) expect(index).toContain(`(${page}.md)`);
    expect(blocks.length).toBeGreaterThan(CONCEPT_PAGES.length);
  });

  it.each(blocks)('$name runs', async ({ file, code }) => {
    writeFileSync(file, code);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import(pathToFileURL(file).href);
    } finally {
      log.mockRestore();
    }
  });
});
