// Node.js only: reached through the package's "#data-file" import (its "node" condition); a
// browser bundle gets data-file-browser.ts instead.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DataFileError } from './data-file-error.ts';
import type { DataFileRequest } from './data-file-request.ts';

/** The environment variable naming a folder that holds every data set, one subfolder each. */
const DATASETS_VARIABLE = 'GRAPHGRAD_DATASETS';

function environment(name: string): string | undefined {
  const value = process.env[name];
  // An empty variable is one that was cleared, not the current folder.
  return value === undefined || value === '' ? undefined : value;
}

/** The folder to read from and where that choice came from, for the messages. */
function folderOf(request: DataFileRequest): { dir: string; origin: string } | undefined {
  if (request.dir !== undefined) return { dir: request.dir, origin: 'the dir option' };
  const own = environment(request.dirVariable);
  if (own !== undefined) return { dir: own, origin: request.dirVariable };
  const all = environment(DATASETS_VARIABLE);
  if (all !== undefined)
    return { dir: join(all, request.datasetsSubfolder), origin: `${DATASETS_VARIABLE}/${request.datasetsSubfolder}` };
  return undefined;
}

/**
 * The text of a data file, from the folder the request names, else the folder in its environment
 * variable, else its subfolder of `GRAPHGRAD_DATASETS`. A missing folder or file is a
 * `DataFileError` that says where to put the file.
 *
 * @example
 * const text = await readDataFile(request); // the file's contents, UTF-8
 */
export async function readDataFile(request: DataFileRequest): Promise<string> {
  const { caller, fileName } = request;
  const folder = folderOf(request);
  if (folder === undefined) {
    throw new DataFileError(
      `${caller}: no folder to read ${fileName} from: pass { dir } or set ${request.dirVariable} to the folder ` +
        `that holds it (or ${DATASETS_VARIABLE} to a folder with a ${request.datasetsSubfolder}/ subfolder)`,
      fileName,
      undefined,
    );
  }
  const path = resolve(folder.dir, fileName);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `${fileName} is not in ${resolve(folder.dir)} (the folder from ${folder.origin}): put it there; ${request.source}`
        : `cannot read ${path} (the folder from ${folder.origin}): ${(error as Error).message}`;
    throw new DataFileError(`${caller}: ${reason}`, fileName, folder.dir, { cause: error });
  }
}
