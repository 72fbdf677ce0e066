import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { describeValue } from './describe-value.ts';
import { ArgumentError } from './errors.ts';

type Source = ReturnType<typeof xoroshiro128plusFromState>;

/**
 * The four 32-bit words of xoroshiro128+'s state, spread from `seed` by splitmix32 (a Weyl sequence
 * through murmur3's finaliser).
 */
// NOTE: pure-rand's own xoroshiro128plus(seed) starts from the state [-1, ~seed, seed, 0], whose
// first outputs are barely mixed: the first uniform was 0.99999… for every small seed, so the first
// normal of every randn call was a 5-8σ outlier. The finaliser is a bijection and the four Weyl
// inputs are distinct, so at most one word is 0 and the state is never all zero.
function seedState(seed: number): number[] {
  let weyl = seed | 0;
  return Array.from({ length: 4 }, () => {
    weyl = (weyl + 0x9e3779b9) | 0;
    let z = weyl;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) | 0;
  });
}

/**
 * A seedable random number generator (xoroshiro128+ from pure-rand): the same seed gives the same
 * numbers on every machine. Normal deviates come from the Box–Muller transform.
 *
 * @example
 * const g = new Generator(1984);
 * g.normal(); // the same value on every run
 */
export class Generator {
  #source: Source;
  #spareNormal: number | null = null;

  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
      throw new ArgumentError(`Generator: a seed is an integer, got ${describeValue(seed)}`);
    }
    this.#source = xoroshiro128plusFromState(seedState(seed));
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.#source);
  }

  /** Standard normal (mean 0, standard deviation 1). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const spare = this.#spareNormal;
      this.#spareNormal = null;
      return spare;
    }
    // 1 - u keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.#spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0)
      throw new ArgumentError(`Generator.int: n must be a positive integer, got ${n}`);
    return uniformInt(this.#source, 0, n - 1);
  }

  /** A random permutation of 0 … n-1 (Fisher–Yates), like numpy's `permutation(n)`. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }
}

let globalGenerator = new Generator(0);

/** Reseeds the generator used by `randn`/`rand` calls that pass no seed of their own. */
export function manualSeed(seed: number): void {
  globalGenerator = new Generator(seed);
}

/**
 * The generator for a call: a fresh one when `seed` is given, the global one (`manualSeed`)
 * otherwise. What every function that draws random numbers resolves its `seed` option with.
 *
 * @example
 * const g = options.generator ?? generatorFor(options.seed);
 */
export function generatorFor(seed: number | undefined): Generator {
  return seed === undefined ? globalGenerator : new Generator(seed);
}
