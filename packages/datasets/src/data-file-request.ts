/**
 * What a loader asks of `readDataFile` (the `#data-file` import: a Node.js reader, or a browser
 * stand-in that explains what to do instead), with what each error message needs.
 */
export interface DataFileRequest {
  /** The public function reading the file, named in messages (`'loadPtb'`). */
  readonly caller: string;
  /** The file's name inside its folder (`'ptb.valid.txt'`). */
  readonly fileName: string;
  /** The folder the caller passed, if any; it wins over the environment. */
  readonly dir: string | undefined;
  /** The environment variable naming this data set's folder (`'GRAPHGRAD_PTB_DIR'`). */
  readonly dirVariable: string;
  /** The data set's folder under `GRAPHGRAD_DATASETS`, the variable naming a folder of data sets (`'ptb'`). */
  readonly datasetsSubfolder: string;
  /** Where the file can be had, for the message when it is missing. */
  readonly source: string;
  /** What to call instead where there are no files (a browser). */
  readonly withoutFiles: string;
}
