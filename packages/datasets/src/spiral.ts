import {
  ArgumentError,
  describeValue,
  Generator,
  tensor,
  type Backend,
  type FloatDType,
  type Tensor,
} from '@graphgrad/core';

/** Options of `loadSpiral`. */
export interface SpiralOptions {
  /** Seed of the generator that draws the angle noise (default 1984, the book's numpy seed). */
  seed?: number;
  /** Points per class (default 100). */
  pointsPerClass?: number;
  /** Number of classes, i.e. spiral arms (default 3). */
  classes?: number;
  /** Element type of `x` and `t` (default float32). */
  dtype?: FloatDType;
  /** Backend to create the tensors on (default: `getBackend()`). */
  backend?: Backend;
}

/** The spiral data set, as tensors and as the raw arrays behind them. */
export interface Spiral {
  /** The points, [classes · pointsPerClass, 2]. */
  readonly x: Tensor;
  /** One-hot targets, [classes · pointsPerClass, classes], in `x`'s dtype. */
  readonly t: Tensor;
  /** The points row-major (x0, y0, x1, y1, …), for plotting without a read-back. */
  readonly points: Float64Array;
  /** The class of each point. */
  readonly labels: Int32Array;
  /** The number of classes (spiral arms). */
  readonly classes: number;
}

/**
 * The book's spiral data set (its `dataset/spiral.py`): for class j and i in 0 … N-1, radius
 * r = i / N, angle θ = 4j + 4r + 0.2·n with n standard normal, point (r·sin θ, r·cos θ). Points are
 * ordered by class, then by i, as in the book. Every point lies inside the unit disk.
 *
 * NOTE: the noise comes from graphgrad's own `Generator` (xoroshiro128+), so seed 1984 does not
 * give numpy's points; it gives the same points on every machine.
 *
 * @example
 * const { x, t } = loadSpiral({ seed: 1984 }); // x [300, 2] float32, t [300, 3] one-hot
 */
export function loadSpiral(options: SpiralOptions = {}): Spiral {
  const { seed = 1984, pointsPerClass = 100, classes = 3, dtype = 'float32', backend } = options;
  for (const [name, value] of [
    ['pointsPerClass', pointsPerClass],
    ['classes', classes],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new ArgumentError(`loadSpiral: ${name} must be a positive integer, got ${describeValue(value)}`);
  }
  const generator = new Generator(seed);
  const count = pointsPerClass * classes;
  const points = new Float64Array(count * 2);
  const labels = new Int32Array(count);
  const oneHot = new Float64Array(count * classes);
  for (let j = 0; j < classes; j++) {
    for (let i = 0; i < pointsPerClass; i++) {
      const rate = i / pointsPerClass;
      const radius = rate;
      const theta = j * 4.0 + 4.0 * rate + generator.normal() * 0.2;
      const index = pointsPerClass * j + i;
      points[2 * index] = radius * Math.sin(theta);
      points[2 * index + 1] = radius * Math.cos(theta);
      labels[index] = j;
      oneHot[index * classes + j] = 1;
    }
  }
  return {
    x: tensor(points, { shape: [count, 2], dtype, backend }),
    t: tensor(oneHot, { shape: [count, classes], dtype, backend }),
    points,
    labels,
    classes,
  };
}
