// docs/pictures/architecture.dot draws the packages and their imports: its arrows must be the
// runtime dependencies the workspace's package.json files declare, so the picture cannot drift.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** name -> the graphgrad packages it depends on at run time, for every published package. */
function workspaceArrows(): string[] {
  const arrows: string[] = [];
  for (const dir of readdirSync(join(ROOT, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
      dependencies?: Record<string, string>;
    };
    if (manifest.private === true) continue;
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (dep === 'graphgrad' || dep.startsWith('@graphgrad/')) arrows.push(`${manifest.name} -> ${dep}`);
    }
  }
  return arrows.sort();
}

it("the architecture picture's package arrows are the workspace's dependencies", () => {
  const dot = readFileSync(join(ROOT, 'docs', 'pictures', 'architecture.dot'), 'utf8');
  const drawn = [...dot.matchAll(/^\s*"((?:@graphgrad\/)?[\w-]+)" -> "((?:@graphgrad\/)?[\w-]+)";$/gm)].map(
    ([, from, to]) => `${from} -> ${to}`,
  );
  expect(drawn.sort()).toEqual(workspaceArrows());
  // The SVG is rendered from this DOT file; it must exist next to it.
  expect(readFileSync(join(ROOT, 'docs', 'pictures', 'architecture.svg'), 'utf8')).toContain('@graphgrad/core');
});
