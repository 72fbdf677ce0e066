import { GraphgradError } from '@graphgrad/core';

/**
 * A data file that could not be read: no folder was given for it, it is not in the folder, or
 * there is no file system to read it from (a browser). The message names the file, the folder
 * looked in and where to get the file.
 *
 * @example
 * try {
 *   await loadPtb('train', { dir: 'data/ptb' });
 * } catch (error) {
 *   if (error instanceof DataFileError) console.log(error.fileName, error.dir); // ptb.train.txt data/ptb
 * }
 */
export class DataFileError extends GraphgradError {
  /** Always `'DataFileError'`, so logs and messages name the kind of error. */
  override name = 'DataFileError';
  /** The file that could not be read (`'ptb.train.txt'`). */
  readonly fileName: string;
  /** The folder it was looked for in, or undefined when none was given. */
  readonly dir: string | undefined;

  constructor(message: string, fileName: string, dir: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.fileName = fileName;
    this.dir = dir;
  }
}
