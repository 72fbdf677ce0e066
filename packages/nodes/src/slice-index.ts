import { ArgumentError, AxisError, describeValue, formatShape, ShapeError, type Shape } from '@graphgrad/core';

/**
 * One entry of a `slice` index, read like an item of numpy's `x[...]`:
 * - `null`: the whole axis (`:`);
 * - an integer: one position, and the axis is dropped (`x[:, 1]`); negative counts from the end;
 * - `[start, stop]` or `[start, stop, step]`: numpy's `start:stop:step`, `null` for a default
 *   (`[1, null]` is `1:`, `[null, null, -1]` is `::-1`); bounds out of range clamp, as in numpy;
 * - `'...'`: as many whole axes as the other entries leave (numpy's ellipsis);
 * - `'newaxis'`: a new axis of length 1 (numpy's `None`).
 *
 * @example
 * slice(h, [null, t, null]);        // h[:, t, :]
 * slice(x, ['...', [1, 3]]);        // x[..., 1:3]
 * slice(x, [[null, null, -1]]);     // x[::-1]
 */
export type SliceEntry =
  null | number | readonly [start: number | null, stop: number | null, step?: number | null] | '...' | 'newaxis';

/**
 * A `slice` index: a list of entries (one per axis, or fewer: the rest are whole), or the same in
 * numpy's syntax as a string, where `None` (or `newaxis`) adds an axis.
 *
 * @example
 * slice(x, ':, 1:3');   // x[:, 1:3]
 * slice(x, '..., -1');  // x[..., -1]
 * slice(x, [null, -1]); // x[:, -1]
 */
export type SliceIndex = readonly SliceEntry[] | string;

/** Where a slice reads, resolved against a shape: the attributes of the Slice node. */
export interface SliceRegion {
  /** First position read along each axis of the sliced tensor. */
  readonly starts: readonly number[];
  /** Step along each axis (non-zero; negative walks backwards). */
  readonly steps: readonly number[];
  /** Positions read along each axis. */
  readonly lengths: Shape;
  /** The result's shape: `lengths` without the picked axes and with the new ones. */
  readonly shape: Shape;
}

/** A region and the shape of the zeros it lies in: the attributes of the SliceScatter node. */
export interface ScatterRegion extends SliceRegion {
  /** The shape of the result, in which the region lies. */
  readonly into: Shape;
}

const INTEGER = /^[+-]?\d+$/;

/** numpy's index syntax (`':, 1:3'`, `'..., None, -1'`) as a list of entries. */
function parseIndex(op: string, text: string): SliceEntry[] {
  const parts = text.split(',').map((p) => p.trim());
  // `''` indexes nothing (x[()]); a trailing comma (`'1,'`) is allowed, as in Python.
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 1 && parts[0] === '') return [];
  return parts.map((part, i): SliceEntry => {
    if (part === '...') return '...';
    if (part === 'None' || part === 'newaxis') return 'newaxis';
    if (INTEGER.test(part)) return Number(part);
    const bounds = part.split(':').map((b) => b.trim());
    if (bounds.length >= 2 && bounds.length <= 3 && bounds.every((b) => b === '' || INTEGER.test(b))) {
      const [start, stop, step] = bounds.map((b) => (b === '' ? null : Number(b)));
      return [start, stop, step ?? null];
    }
    throw new ArgumentError(
      `${op}: cannot read ${describeValue(part)} (entry ${i} of ${describeValue(text)}); an entry is an integer, start:stop[:step], '...' or None`,
    );
  });
}

const isBound = (b: unknown): boolean => b === null || b === undefined || Number.isInteger(b);

/** Throws an `ArgumentError` naming the entry unless it is one `SliceEntry` can be. */
function checkEntry(op: string, entry: unknown, i: number): void {
  if (entry === null || entry === '...' || entry === 'newaxis') return;
  if (typeof entry === 'number' && Number.isInteger(entry)) return;
  if (Array.isArray(entry) && (entry.length === 2 || entry.length === 3) && entry.every(isBound)) {
    if (entry[2] === 0) throw new ArgumentError(`${op}: entry ${i} ${describeValue(entry)} has a step of 0`);
    return;
  }
  throw new ArgumentError(
    `${op}: entry ${i} is ${describeValue(entry)}; an entry is null (the whole axis), an integer (one position), ` +
      `[start, stop] or [start, stop, step] (integers or null), '...' or 'newaxis'`,
  );
}

/**
 * numpy's (Python's) resolution of `start:stop:step` on an axis of `n`: defaults by the step's
 * sign, negative bounds counted from the end, bounds out of range clamped. Returns the first
 * position and the count.
 */
function resolveRange(
  n: number,
  [start, stop, step]: readonly [number | null, number | null, (number | null)?],
): [first: number, count: number, step: number] {
  const s = step ?? 1;
  const from = start ?? null;
  const to = stop ?? null;
  const clamp = (b: number): number => {
    if (b < 0) {
      b += n;
      if (b < 0) return s < 0 ? -1 : 0;
    } else if (b >= n) return s < 0 ? n - 1 : n;
    return b;
  };
  const first = from === null ? (s < 0 ? n - 1 : 0) : clamp(from);
  const last = to === null ? (s < 0 ? -1 : n) : clamp(to);
  const count =
    s < 0
      ? last < first
        ? Math.floor((first - last - 1) / -s) + 1
        : 0
      : first < last
        ? Math.floor((last - first - 1) / s) + 1
        : 0;
  return [first, count, s];
}

/**
 * Resolves `index` against `shape` (numpy's basic indexing), or throws: an `ArgumentError` for an
 * entry that is none of the kinds or a second `'...'`, an `AxisError` for more indexed axes than
 * the shape has, a `ShapeError` for a position outside its axis.
 */
export function resolveSlice(op: string, shape: Shape, index: SliceIndex): SliceRegion {
  let entries: readonly SliceEntry[];
  if (typeof index === 'string') entries = parseIndex(op, index);
  else if (Array.isArray(index)) entries = index;
  else
    throw new ArgumentError(
      `${op}: the index must be a list of entries or a string such as ':, 1:3', got ${describeValue(index)}`,
    );
  entries.forEach((e, i) => checkEntry(op, e, i));
  const ellipses = entries.filter((e) => e === '...').length;
  if (ellipses > 1) throw new ArgumentError(`${op}: an index holds at most one '...', got ${ellipses}`);
  const indexed = entries.filter((e) => e !== '...' && e !== 'newaxis').length;
  if (indexed > shape.length) {
    throw new AxisError(
      `${op}: ${indexed} axes indexed, but the tensor ${formatShape(shape)} has ${shape.length} (too many indices)`,
    );
  }
  const whole = new Array<SliceEntry>(shape.length - indexed).fill(null);
  const at = entries.indexOf('...');
  const expanded = at < 0 ? [...entries, ...whole] : [...entries.slice(0, at), ...whole, ...entries.slice(at + 1)];

  const starts: number[] = [];
  const steps: number[] = [];
  const lengths: number[] = [];
  const out: number[] = [];
  let axis = 0;
  for (const entry of expanded) {
    if (entry === 'newaxis') {
      out.push(1);
      continue;
    }
    const n = shape[axis];
    if (entry === null) {
      starts.push(0);
      steps.push(1);
      lengths.push(n);
      out.push(n);
    } else if (typeof entry === 'number') {
      if (entry < -n || entry >= n) {
        throw new ShapeError(
          `${op}: index ${entry} is out of bounds for axis ${axis} of length ${n} (shape ${formatShape(shape)})`,
        );
      }
      starts.push(entry < 0 ? entry + n : entry);
      steps.push(1);
      lengths.push(1);
    } else {
      const [first, count, step] = resolveRange(n, entry as readonly [number | null, number | null, number?]);
      // An empty range reads nothing: its start is 0, so no position outside the axis is computed.
      starts.push(count === 0 ? 0 : first);
      steps.push(count === 0 ? 1 : step);
      lengths.push(count);
      out.push(count);
    }
    axis++;
  }
  return { starts, steps, lengths, shape: out };
}
