// Node.js only: reached through the package's "#save-file" import (its "node" condition); a
// browser bundle gets save-file-browser.ts instead.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Writes `contents` to the file at `path` (creating its folder), and returns the absolute path.
 * Node.js only: in a browser it throws, and the SVG string itself is what to use.
 *
 * @example
 * const written = await saveFile('out/loss.svg', svg);
 */
export async function saveFile(path: string, contents: string): Promise<string> {
  const absolute = resolve(path);
  await mkdir(dirname(absolute), { recursive: true });
  await writeFile(absolute, contents);
  return absolute;
}
