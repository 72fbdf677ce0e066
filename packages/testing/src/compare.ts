/** Absolute and relative tolerance: |got - want| ≤ atol + rtol·|want|. */
export interface Tolerances {
  /** Absolute tolerance. */
  readonly atol: number;
  /** Relative tolerance, a fraction of |want|. */
  readonly rtol: number;
}

/**
 * The first element where `got` and `want` disagree, described, or null when they agree: NaN
 * must meet NaN, an infinity the same infinity, and finite values must lie within the tolerances,
 * relative to `scale[i]` where that is finite and larger than |want[i]|.
 */
export function firstMismatch(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tol: Tolerances,
  scale?: ArrayLike<number>,
): string | null {
  if (got.length !== want.length) return `${got.length} values, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w) || Number.isNaN(g)) {
      if (Number.isNaN(w) !== Number.isNaN(g)) return `element ${i}: got ${g}, expected ${w}`;
      continue;
    }
    if (!Number.isFinite(w) || !Number.isFinite(g)) {
      if (g !== w) return `element ${i}: got ${g}, expected ${w}`;
      continue;
    }
    const s =
      scale !== undefined && Number.isFinite(scale[i]) ? Math.max(Math.abs(scale[i]), Math.abs(w)) : Math.abs(w);
    const allowed = tol.atol + tol.rtol * s;
    if (Math.abs(g - w) > allowed)
      return `element ${i}: got ${g}, expected ${w} (difference ${Math.abs(g - w)}, allowed ${allowed})`;
  }
  return null;
}
