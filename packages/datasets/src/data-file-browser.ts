import { DataFileError } from './data-file-error.ts';
import type { DataFileRequest } from './data-file-request.ts';

/**
 * `readDataFile` outside Node.js: there is no file system to read from, so it throws a
 * `DataFileError` that names the function to call on text fetched some other way.
 *
 * @example
 * const text = await (await fetch('ptb.valid.txt')).text(); // then ptbWords(text)
 */
export async function readDataFile(request: DataFileRequest): Promise<string> {
  throw new DataFileError(
    `${request.caller}: cannot read ${request.fileName}: reading files needs Node.js; in a browser ` +
      `fetch the text and ${request.withoutFiles}`,
    request.fileName,
    request.dir,
  );
}
