/**
 * Writes `contents` to the file at `path` (creating its folder), and returns the absolute path.
 * Node.js only: `node:fs` is imported when called, so that importing this package in a browser
 * does not fail (there, use the SVG string itself).
 *
 * @example
 * const written = await saveFile('out/loss.svg', svg);
 */
export async function saveFile(path: string, contents: string): Promise<string> {
  const [{ mkdir, writeFile }, { dirname, resolve }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const absolute = resolve(path);
  await mkdir(dirname(absolute), { recursive: true });
  await writeFile(absolute, contents);
  return absolute;
}
