// Renders docs/pictures/architecture.dot to docs/pictures/architecture.svg with Graphviz (the
// WebAssembly build in @viz-js/viz, as @graphgrad/viz uses). Run it after editing the DOT file:
//   node --import tsx scripts/architecture-picture.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg } from '../packages/viz/src/index.ts';

const dir = join(import.meta.dirname, '..', 'docs', 'pictures');
const svg = await renderSvg(readFileSync(join(dir, 'architecture.dot'), 'utf8'));
writeFileSync(join(dir, 'architecture.svg'), svg);
console.log(`wrote ${join('docs', 'pictures', 'architecture.svg')} (${svg.length} bytes)`);
