/**
 * A typed array together with the row-major shape it stands for: what the text helpers take and
 * give. `tensor(a.data, { shape: a.shape })` makes a tensor of it.
 *
 * @example
 * const contexts: ShapedArray<Int32Array> = { data: Int32Array.from([0, 2, 1, 3]), shape: [2, 2] };
 */
export interface ShapedArray<T extends Int32Array | Float32Array | Float64Array> {
  /** The elements, row-major. */
  readonly data: T;
  /** The extent of each axis; their product is `data.length`. */
  readonly shape: readonly number[];
}
