// Where the tests find the repository's data sets: GRAPHGRAD_DATASETS when it is set, else the
// shared/datasets folder beside the repository (the layout CI and developers have). A missing
// folder or file fails the test that needs it, with the path and the remedy in the message.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPOSITORY_ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** The folder of a data set (`'ptb'`, `'sequence'`), after checking that it holds `files`. */
export function datasetFolder(name: string, files: readonly string[]): string {
  const variable = process.env.GRAPHGRAD_DATASETS;
  const root =
    variable !== undefined && variable !== ''
      ? resolve(variable)
      : resolve(REPOSITORY_ROOT, '..', 'shared', 'datasets');
  const folder = join(root, name);
  for (const file of files) {
    const path = join(folder, file);
    if (!existsSync(path))
      throw new Error(
        `data set file missing: ${path} (set GRAPHGRAD_DATASETS to the folder holding ${name}/, ` +
          'or put the data sets in shared/datasets beside the repository)',
      );
  }
  return folder;
}
