import { defineNode, DTypeError, formatShape, ShapeError, type Tensor } from '@graphgrad/core';
import { add } from './add.ts';
import { concat } from './concat.ts';
import { mul } from './mul.ts';
import { sigmoid } from './sigmoid.ts';
import { split } from './split.ts';
import { sub } from './sub.ts';
import { tanh } from './tanh.ts';
import { requireFloat } from './validate.ts';

/**
 * The GRUCellGrad node: the gradients of `gruCell`'s inputs from that of its output, by the fused
 * `GRUCellBackward` kernel. With P = dy·(1-z)·(1-n²): d xn = P, d hn = P·r,
 * d xr = d hr = P·hn·r(1-r), d xz = d hz = dy·(h - n)·z(1-z), d h = dy·z.
 */
export const GRUCellGradNode = defineNode({
  kind: 'GRUCellGrad',
  inputs: ['xg', 'hg', 'h', 'dy'],
  forward: (k, [xg, hg, h, dy]) => {
    const [n, size] = h.shape;
    const block = n * 3 * size;
    const flat = k.GRUCellBackward(xg, hg, h, dy);
    return [
      k.Reshape(k.Slice(flat, [0], [1], [block]), [n, 3 * size]),
      k.Reshape(k.Slice(flat, [block], [1], [block]), [n, 3 * size]),
      k.Reshape(k.Slice(flat, [2 * block], [1], [n * size]), [n, size]),
    ];
  },
  // The second derivative, from the cotangents u (of d xg), v (of d hg) and w (of d h): P's
  // cotangent is U_P = u_n + v_n·r + (u_r + v_r)·hn·r', R's (= d xz) is U_R = u_z + v_z, and each of
  // n, r, z, y, h and hn collects what reaches it (r', z', n' the activations' slopes).
  backward: ({ inputs: [xg, hg, h, dy] }, u, v, w) => {
    const [axr, axz, axn] = split(xg, 3, 1);
    const [hr, hz, hn] = split(hg, 3, 1);
    const [ur, uz, un] = split(u, 3, 1);
    const [vr, vz, vn] = split(v, 3, 1);
    const r = sigmoid(add(axr, hr));
    const z = sigmoid(add(axz, hz));
    const n = tanh(add(axn, mul(r, hn)));
    const [sr, sz, sn] = [mul(r, sub(1, r)), mul(z, sub(1, z)), sub(1, mul(n, n))];
    const oneMinusZ = sub(1, z);
    const p = mul(mul(dy, oneMinusZ), sn);
    const hMinusN = sub(h, n);
    const uq = add(ur, vr);
    const ur2 = add(uz, vz);
    const up = add(add(un, mul(vn, r)), mul(mul(uq, hn), sr));
    // through n's value, then its pre-activation xn + r·hn
    const dn = sub(mul(mul(mul(n, -2), mul(dy, oneMinusZ)), up), mul(mul(ur2, dy), sz));
    const na = mul(dn, sn);
    const dr = add(add(mul(mul(mul(uq, p), hn), sub(1, mul(r, 2))), mul(vn, p)), mul(na, hn));
    const dz = add(add(mul(mul(up, dy), mul(sn, -1)), mul(mul(mul(ur2, dy), hMinusN), sub(1, mul(z, 2)))), mul(w, dy));
    const dhn = add(mul(mul(uq, p), sr), mul(na, r));
    const [ar, az] = [mul(dr, sr), mul(dz, sz)];
    return [
      concat([ar, az, na], 1),
      concat([ar, az, dhn], 1),
      mul(mul(ur2, dy), sz),
      add(add(mul(mul(up, oneMinusZ), sn), mul(mul(ur2, hMinusN), sz)), mul(w, z)),
    ];
  },
});

/**
 * The GRUCell node: one GRU step by the fused `GRUCell` kernel, from the input's share xg, the
 * recurrent share hg ([N, 3H] each, gates r, z, n) and h [N, H] to h'.
 */
export const GRUCellNode = defineNode({
  kind: 'GRUCell',
  inputs: ['xg', 'hg', 'h'],
  forward: (k, [xg, hg, h]) => k.GRUCell(xg, hg, h),
  // d xg, d hg, d h = GRUCellGrad(xg, hg, h, dy) (one fused kernel)
  backward: ({ inputs: [xg, hg, h] }, dy) => GRUCellGradNode.applyMany([xg, hg, h, dy]),
});

/**
 * One step of PyTorch's GRU (`nn.GRUCell`, cuDNN's) from its two linear shares: with
 * `xg` = x·Wx + bx and `hg` = h·Wh + bh ([N, 3H] each, gates r, z, n) and the state `h` [N, H],
 * r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r·hn) and h' = (1 - z)·n + z·h. One fused kernel
 * forward and one backward, where the same step written with `sigmoid`, `tanh`, `mul` and `add`
 * records a dozen nodes.
 *
 * @example
 * const hNext = gruCell(add(matmul(x, Wx), bx), add(matmul(h, Wh), bh), h);
 */
export function gruCell(xg: Tensor, hg: Tensor, h: Tensor): Tensor {
  requireFloat('gruCell', xg, 'xg');
  requireFloat('gruCell', hg, 'hg');
  requireFloat('gruCell', h, 'h');
  if (xg.dtype !== h.dtype || hg.dtype !== h.dtype)
    throw new DTypeError(`gruCell: xg is ${xg.dtype}, hg ${hg.dtype}, h ${h.dtype}; they need one float dtype`);
  const [n, size] = h.rank === 2 ? h.shape : [-1, -1];
  const gatesOk = (x: Tensor): boolean => x.rank === 2 && x.shape[0] === n && x.shape[1] === 3 * size;
  if (h.rank !== 2 || !gatesOk(xg) || !gatesOk(hg)) {
    throw new ShapeError(
      `gruCell: xg ${formatShape(xg.shape)}, hg ${formatShape(hg.shape)} and h ${formatShape(h.shape)} must be [N, 3H], [N, 3H] and [N, H]`,
    );
  }
  return GRUCellNode.apply([xg, hg, h]);
}
