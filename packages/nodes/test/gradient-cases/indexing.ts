// The gradient cases of slicing and joining: slice (and the SliceScatter node behind its backward),
// concat, stack, split, unbind, the reshapes that name axes (squeeze, unsqueeze, flatten), the
// transposes of two axes and permute, and an LSTM that splits its gates and stacks its states.
import fc from 'fast-check';
import { arbitraries } from '@graphgrad/core/testing';
import { zeros, type Shape, type Tensor } from '@graphgrad/core';
import {
  add,
  concat,
  flatten,
  matmul,
  mul,
  permute,
  sigmoid,
  slice,
  SliceScatterNode,
  split,
  squeeze,
  stack,
  sum,
  tanh,
  transpose,
  unbind,
  unsqueeze,
  type SliceEntry,
} from '../../src/index.ts';
import { instance, shapeAndAxis, show, SMOOTH, type GradientCase } from './support.ts';

/** A bound of a range on an axis of `n`: inside, negative, past either end, or the default. */
const bound = (n: number): fc.Arbitrary<number | null> =>
  fc.oneof(fc.constant(null), fc.integer({ min: -n - 2, max: n + 2 }));

/** One entry of an index for an axis of `n`: the whole axis, a position, or a range (any step). */
function entry(n: number): fc.Arbitrary<SliceEntry> {
  const range = fc
    .tuple(
      bound(n),
      bound(n),
      fc.oneof(
        fc.constant(null),
        fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0),
      ),
    )
    .map(([start, stop, step]): SliceEntry => (step === null ? [start, stop] : [start, stop, step]));
  return fc.oneof(fc.constant(null), range, range, ...(n > 0 ? [fc.integer({ min: -n, max: n - 1 })] : []));
}

/** An index of `s`: an entry for some leading axes, sometimes an ellipsis or a new axis among them. */
function index(s: Shape): fc.Arbitrary<SliceEntry[]> {
  return fc
    .tuple(
      fc.tuple(...s.map(entry)),
      fc.integer({ min: 0, max: s.length }),
      fc.oneof(fc.constant<'' | '...' | 'newaxis'>(''), fc.constant('...' as const), fc.constant('newaxis' as const)),
      fc.integer({ min: 0, max: s.length }),
    )
    .map(([entries, used, extra, at]) => {
      const list: SliceEntry[] = entries.slice(0, used);
      // NOTE: entries after '...' index the trailing axes: unless every axis has its entry (then
      // '...' stands for none), it goes last, so that each entry still meets the axis it was drawn for
      const position = extra === '...' && used < s.length ? list.length : Math.min(at, list.length);
      if (extra !== '') list.splice(position, 0, extra);
      return list;
    });
}

/** numpy's syntax for an index, to draw the string form as well. */
function asText(entries: readonly SliceEntry[]): string {
  return entries
    .map((e) => {
      if (e === null) return ':';
      if (e === 'newaxis') return 'None';
      if (typeof e === 'string' || typeof e === 'number') return String(e);
      return e.map((b) => (b === null || b === undefined ? '' : String(b))).join(':');
    })
    .join(', ');
}

const sliceCase: GradientCase = {
  name: 'slice',
  node: 'SliceNode',
  instance: arbitraries
    .shape({ minRank: 1, maxRank: 3 })
    .chain((s) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), index(s), fc.boolean()))
    .map(([x, entries, text]) => {
      const idx = text ? asText(entries) : entries;
      return instance(`slice ${show(x.shape)} [${JSON.stringify(idx)}]`, (t) => slice(t, idx), [x]);
    }),
};

const overlappingCase: GradientCase = {
  name: 'slice (two overlapping slices of one tensor)',
  node: 'SliceNode',
  instance: arbitraries
    .shape({ minRank: 1, maxRank: 3 })
    .chain((s) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), index(s), index(s)))
    .map(([x, a, b]) =>
      instance(
        `slice ${show(x.shape)} twice: ${asText(a)} and ${asText(b)}`,
        (t) => add(sum(mul(slice(t, a), slice(t, a))), sum(tanh(slice(t, b)))),
        [x],
      ),
    ),
};

/** The region a positive-step slice of `s` reads, drawn per axis: a start, a length, a step. */
const scatterCase: GradientCase = {
  name: 'SliceScatter node (a slice written into zeros)',
  node: 'SliceScatterNode',
  instance: arbitraries
    .shape({ minRank: 1, maxRank: 3 })
    .chain((into) =>
      fc
        .tuple(
          ...into.map((n) =>
            fc
              .tuple(
                fc.integer({ min: 0, max: n - 1 }),
                fc.integer({ min: -2, max: 2 }).filter((st) => st !== 0),
              )
              .chain(([start, step]) => {
                const room = step > 0 ? Math.floor((n - 1 - start) / step) + 1 : Math.floor(start / -step) + 1;
                return fc.integer({ min: 0, max: room }).map((length) => ({ start, step, length }));
              }),
          ),
        )
        .chain((axes) => {
          const lengths = axes.map((a) => a.length);
          return arbitraries.tensorOf(lengths, SMOOTH).map((x) => ({ x, axes, into }));
        }),
    )
    .map(({ x, axes, into }) => {
      const region = {
        starts: axes.map((a) => a.start),
        steps: axes.map((a) => a.step),
        lengths: x.shape,
        shape: x.shape,
        into,
      };
      return instance(
        `SliceScatter ${show(x.shape)} into ${show(into)} at ${JSON.stringify(axes)}`,
        (t) => SliceScatterNode.apply([t], region),
        [x],
      );
    }),
};

/** Shapes that agree except along `axis`, where each has its own length (0 included). */
const concatCase: GradientCase = {
  name: 'concat',
  node: 'ConcatNode',
  instance: shapeAndAxis
    .chain(([s, axis]) =>
      fc
        .array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 })
        .chain((lengths) =>
          fc.tuple(
            ...lengths.map((n) =>
              arbitraries.tensorOf(
                s.map((d, i) => (i === (axis + s.length) % s.length ? n : d)),
                SMOOTH,
              ),
            ),
          ),
        )
        .map((xs) => ({ xs, axis })),
    )
    .map(({ xs, axis }) =>
      instance(
        `concat ${xs.map((x) => show(x.shape)).join(' ')} axis=${axis}`,
        (...ts) => concat([...ts, ts[0]], axis),
        xs,
      ),
    ),
};

const stackCase: GradientCase = {
  name: 'stack',
  node: 'StackNode',
  instance: arbitraries
    .shape()
    .chain((s) =>
      fc.tuple(
        fc.array(arbitraries.tensorOf(s, SMOOTH), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: -s.length - 1, max: s.length }),
      ),
    )
    .map(([xs, axis]) =>
      instance(`stack ${xs.length} × ${show(xs[0].shape)} axis=${axis}`, (...ts) => stack(ts, axis), xs),
    ),
};

/** Pieces as a count dividing the axis or as sizes summing to it; a random subset of them used. */
const splitCase: GradientCase = {
  name: 'split',
  node: 'SplitNode',
  instance: shapeAndAxis
    .chain(([s, axis]) => {
      const n = s[(axis + s.length) % s.length];
      const divisors = Array.from({ length: n }, (_, i) => i + 1).filter((c) => n % c === 0);
      const sizes = fc.array(fc.integer({ min: 0, max: n }), { minLength: 0, maxLength: 3 }).map((cuts) => {
        const points = [0, ...[...cuts].sort((a, b) => a - b), n];
        return points.slice(1).map((p, i) => p - points[i]);
      });
      return fc.tuple(
        arbitraries.tensorOf(s, SMOOTH),
        fc.constant(axis),
        fc.oneof(fc.constantFrom(...divisors), sizes),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      );
    })
    .map(([x, axis, pieces, used]) =>
      instance(
        `split ${show(x.shape)} ${JSON.stringify(pieces)} axis=${axis} used=${JSON.stringify(used)}`,
        (t) => {
          // Pieces left out get a gradient of zeros; the first is always used.
          return split(t, pieces, axis)
            .filter((_, i) => i === 0 || used[i % 4])
            .map((p) => sum(mul(p, tanh(p))))
            .reduce((a, b) => add(a, b));
        },
        [x],
      ),
    ),
};

const unbindCase: GradientCase = {
  name: 'unbind',
  node: 'UnbindNode',
  instance: shapeAndAxis
    .chain(([s, axis]) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), fc.constant(axis), fc.integer({ min: 1, max: 4 })))
    .map(([x, axis, every]) =>
      instance(
        `unbind ${show(x.shape)} axis=${axis}, every ${every}th used`,
        (t) => {
          const parts = unbind(t, axis);
          return stack(
            parts.filter((_, i) => i % every === 0).map((p, i) => mul(p, i + 1)),
            0,
          );
        },
        [x],
      ),
    ),
};

/** A shape with some axes of length 1, and which of them to name (undefined: all). */
const squeezeCase: GradientCase = {
  name: 'squeeze',
  node: 'ReshapeNode',
  instance: arbitraries
    .shape({ maxRank: 4, maxDim: 3 })
    .chain((s) => {
      const ones = s.flatMap((d, i) => (d === 1 ? [i, i - s.length] : []));
      return fc.tuple(
        arbitraries.tensorOf(s, SMOOTH),
        fc.oneof(
          fc.constant(undefined),
          fc.shuffledSubarray(ones.filter((_, i) => i % 2 === 0)),
          fc.shuffledSubarray(ones.filter((_, i) => i % 2 === 1)),
        ),
      );
    })
    .map(([x, axes]) =>
      instance(`squeeze ${show(x.shape)} axes=${JSON.stringify(axes)}`, (t) => squeeze(t, axes), [x]),
    ),
};

const unsqueezeCase: GradientCase = {
  name: 'unsqueeze',
  node: 'ReshapeNode',
  instance: arbitraries
    .shape()
    .chain((s) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), fc.integer({ min: -s.length - 1, max: s.length })))
    .map(([x, axis]) => instance(`unsqueeze ${show(x.shape)} axis=${axis}`, (t) => unsqueeze(t, axis), [x])),
};

const flattenCase: GradientCase = {
  name: 'flatten',
  node: 'ReshapeNode',
  instance: arbitraries
    .shape({ maxRank: 4, maxDim: 3 })
    .chain((s) => {
      const rank = Math.max(s.length, 1);
      return fc
        .tuple(fc.integer({ min: 0, max: rank - 1 }), fc.integer({ min: 0, max: rank - 1 }), fc.boolean())
        .chain(([a, b, negative]) =>
          fc.tuple(
            arbitraries.tensorOf(s, SMOOTH),
            fc.constant(Math.min(a, b)),
            fc.constant(negative ? Math.max(a, b) - rank : Math.max(a, b)),
          ),
        );
    })
    .map(([x, start, end]) =>
      // Through a transpose, so that some flattens read a strided view (and copy).
      instance(`flatten ${show(x.shape)}ᵀ ${start}..${end}`, (t) => flatten(transpose(t), start, end), [x]),
    ),
};

const permuteCase: GradientCase = {
  name: 'permute',
  node: 'TransposeNode',
  instance: arbitraries
    .shape({ maxRank: 4 })
    .chain((s) =>
      fc.tuple(
        arbitraries.tensorOf(s, SMOOTH),
        fc.shuffledSubarray(
          s.map((_, i) => i),
          { minLength: s.length, maxLength: s.length },
        ),
        fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
      ),
    )
    .map(([x, perm, negative]) => {
      const dims = perm.map((p, i) => (negative[i] ? p - x.rank : p));
      return instance(`permute ${show(x.shape)} dims=${JSON.stringify(dims)}`, (t) => permute(t, dims), [x]);
    }),
};

const transposeAxesCase: GradientCase = {
  name: 'transpose (two axes)',
  node: 'TransposeNode',
  instance: arbitraries
    .shape({ minRank: 1, maxRank: 4 })
    .chain((s) =>
      fc.tuple(
        arbitraries.tensorOf(s, SMOOTH),
        fc.integer({ min: -s.length, max: s.length - 1 }),
        fc.integer({ min: -s.length, max: s.length - 1 }),
      ),
    )
    .map(([x, a, b]) => instance(`transpose ${show(x.shape)} ${a} ${b}`, (t) => transpose(t, a, b), [x])),
};

/**
 * An LSTM over T steps: x_t = xs[:, t, :], the [N, 4H] gates split into four views through sigmoid
 * and tanh, and the hidden states stacked into [N, T, H]: the gradients of xs, Wx and Wh.
 */
const lstmCase: GradientCase = {
  name: 'LSTM over time (xs[:, t, :], split gates, stacked states)',
  node: null,
  instance: fc
    .tuple(
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 1, max: 2 }),
    )
    .chain(([N, T, D, H]) =>
      fc.tuple(
        arbitraries.tensorOf([N, T, D], SMOOTH),
        arbitraries.tensorOf([D, 4 * H], SMOOTH),
        arbitraries.tensorOf([H, 4 * H], SMOOTH),
      ),
    )
    .map(([xs, Wx, Wh]) => {
      const [N, T] = xs.shape;
      const H = Wh.shape[0];
      return instance(
        `LSTM xs ${show(xs.shape)} H=${H}`,
        (x, wx, wh) => {
          let h = zeros([N, H], { dtype: 'float64' });
          let c = zeros([N, H], { dtype: 'float64' });
          const hs: Tensor[] = [];
          for (let t = 0; t < T; t++) {
            const gates = add(matmul(slice(x, [null, t]), wx), matmul(h, wh));
            const [f, g, i, o] = split(gates, 4, 1);
            c = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
            h = mul(sigmoid(o), tanh(c));
            hs.push(h);
          }
          return stack(hs, 1);
        },
        [xs, Wx, Wh],
      );
    }),
};

export const INDEXING_CASES: readonly GradientCase[] = [
  sliceCase,
  overlappingCase,
  scatterCase,
  concatCase,
  stackCase,
  splitCase,
  unbindCase,
  squeezeCase,
  unsqueezeCase,
  flattenCase,
  permuteCase,
  transposeAxesCase,
  lstmCase,
];
