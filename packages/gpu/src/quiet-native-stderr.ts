/**
 * Runs `fn` with the process's native standard error (file descriptor 2) pointed at /dev/null, and
 * restores it before returning. Dawn writes adapter warnings straight to the descriptor from native
 * code (on Mesa's lavapipe: two lines about dynamic buffer limits it lowers at every start), where
 * no JavaScript stream can catch them. `fn` must be synchronous, so no JavaScript of the caller's
 * runs while the descriptor is swapped; where the swap is not possible (not Linux, no /proc) `fn`
 * runs as it is, and standard error is never lost.
 */
export function withNativeStderrSilenced<T>(fs: NodeFileDescriptors, fn: () => T): T {
  let saved: number;
  try {
    // A second descriptor on the same file, pipe or terminal (append: never truncate a log file).
    saved = fs.openSync('/proc/self/fd/2', 'a');
  } catch {
    return fn();
  }
  let silenced = false;
  try {
    fs.closeSync(2);
    // The lowest free descriptor, 2, now points at /dev/null.
    const sink = fs.openSync('/dev/null', 'w');
    silenced = sink === 2;
    if (!silenced) fs.closeSync(sink);
    return fn();
  } finally {
    if (silenced) fs.closeSync(2);
    // Descriptor 2 is free again (or still open if the swap failed): reopen the original there.
    try {
      fs.fstatSync(2);
    } catch {
      fs.openSync(`/proc/self/fd/${saved}`, 'a');
    }
    fs.closeSync(saved);
  }
}

/** The node:fs functions used, typed here so the package needs no Node.js types in its browser build. */
export interface NodeFileDescriptors {
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  fstatSync(fd: number): unknown;
}
