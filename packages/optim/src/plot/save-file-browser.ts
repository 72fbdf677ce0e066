import { GraphgradError } from '@graphgrad/core';

/**
 * `saveFile` outside Node.js: there is no file system to write to, so it throws; use the SVG
 * string (`trainer.lossCurveSvg()`, `renderSvg(spec)`) instead.
 *
 * @example
 * const svg = await trainer.lossCurveSvg(); // then show it in the page
 */
export async function saveFile(path: string, _contents: string): Promise<string> {
  throw new GraphgradError(
    `saveFile: cannot write ${path}: writing files needs Node.js; in a browser use the SVG string (lossCurveSvg, renderSvg)`,
  );
}
