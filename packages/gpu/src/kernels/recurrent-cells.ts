import type { GpuArray } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { NUMERICS_WGSL } from '../wgsl/numerics.ts';
import { linearIndexWgsl, PARAMS_WGSL } from '../wgsl/params.ts';

// One LSTM or GRU step's gate arithmetic, forward and backward, each one dispatch of one invocation
// per output element (the CPU backend's recurrent-cells.ts has the formulas). Inputs are made
// contiguous first (a view at an offset stays one). Parameter words: 0 the output's size, 1 N
// (rows), 2 H (units), 3… each input's offset.

const WG = 64;

type Cell = 'lstm' | 'lstm-backward' | 'gru' | 'gru-backward';

/** Each kernel's inputs (bindings 1…) and the WGSL computing output element `i` (row `r`, unit `j`). */
const CELLS: Record<Cell, { readonly inputs: readonly string[]; readonly body: string }> = {
  lstm: {
    inputs: ['A', 'Cprev'],
    // out: [2, N, H], h' then c'
    body: `
  let half = N * H;
  let k = i % half;
  let r = k / H;
  let j = k % H;
  let g0 = r * 4u * H;
  let f = sigmoid_ieee(A(g0 + j));
  let g = tanh_ieee(A(g0 + H + j));
  let ig = sigmoid_ieee(A(g0 + 2u * H + j));
  let next = f * Cprev(k) + g * ig;
  if (i < half) { O[i] = sigmoid_ieee(A(g0 + 3u * H + j)) * tanh_ieee(next); } else { O[i] = next; }`,
  },
  'lstm-backward': {
    inputs: ['A', 'Cprev', 'DH', 'DC'],
    // out: N·4H (d gates) then N·H (d c)
    body: `
  let gates = N * 4u * H;
  var r: u32;
  var j: u32;
  var part: u32;
  if (i < gates) { r = i / (4u * H); part = (i % (4u * H)) / H; j = i % H; } else { r = (i - gates) / H; part = 4u; j = (i - gates) % H; }
  let g0 = r * 4u * H;
  let k = r * H + j;
  let f = sigmoid_ieee(A(g0 + j));
  let g = tanh_ieee(A(g0 + H + j));
  let ig = sigmoid_ieee(A(g0 + 2u * H + j));
  let og = sigmoid_ieee(A(g0 + 3u * H + j));
  let t = tanh_ieee(f * Cprev(k) + g * ig);
  let total = DC(k) + DH(k) * og * (1.0 - t * t);
  switch part {
    case 0u: { O[i] = total * Cprev(k) * f * (1.0 - f); }
    case 1u: { O[i] = total * ig * (1.0 - g * g); }
    case 2u: { O[i] = total * g * ig * (1.0 - ig); }
    case 3u: { O[i] = DH(k) * t * og * (1.0 - og); }
    default: { O[i] = total * f; }
  }`,
  },
  gru: {
    inputs: ['XG', 'HG', 'Hprev'],
    // out: [N, H]
    body: `
  let r = i / H;
  let j = i % H;
  let b = r * 3u * H;
  let rg = sigmoid_ieee(XG(b + j) + HG(b + j));
  let z = sigmoid_ieee(XG(b + H + j) + HG(b + H + j));
  let n = tanh_ieee(XG(b + 2u * H + j) + rg * HG(b + 2u * H + j));
  O[i] = (1.0 - z) * n + z * Hprev(i);`,
  },
  'gru-backward': {
    inputs: ['XG', 'HG', 'Hprev', 'DY'],
    // out: N·3H (d xg), N·3H (d hg), N·H (d h)
    body: `
  let block = N * 3u * H;
  var e = i;
  var second = false;
  if (e >= 2u * block) {
    let k = e - 2u * block;
    let rr = k / H;
    let jj = k % H;
    let bb = rr * 3u * H;
    O[i] = DY(k) * sigmoid_ieee(XG(bb + H + jj) + HG(bb + H + jj));
    return;
  }
  if (e >= block) { e = e - block; second = true; }
  let r = e / (3u * H);
  let part = (e % (3u * H)) / H;
  let j = e % H;
  let b = r * 3u * H;
  let k = r * H + j;
  let rg = sigmoid_ieee(XG(b + j) + HG(b + j));
  let z = sigmoid_ieee(XG(b + H + j) + HG(b + H + j));
  let hn = HG(b + 2u * H + j);
  let n = tanh_ieee(XG(b + 2u * H + j) + rg * hn);
  let p = DY(k) * (1.0 - z) * (1.0 - n * n);
  switch part {
    case 0u: { O[i] = p * hn * rg * (1.0 - rg); }
    case 1u: { O[i] = DY(k) * (Hprev(k) - n) * z * (1.0 - z); }
    default: { O[i] = select(p, p * rg, second); }
  }`,
  },
};

function program(cell: Cell): Program {
  const { inputs, body } = CELLS[cell];
  return {
    key: `recurrent:${cell}`,
    source: () => `${PARAMS_WGSL}
${inputs
  .map(
    (name, b) => `@group(0) @binding(${b + 1}) var<storage, read> ${name}_buf: array<f32>;
fn ${name}(k: u32) -> f32 { return ${name}_buf[P(${3 + b}u) + k]; }`,
  )
  .join('\n')}
@group(0) @binding(${inputs.length + 1}) var<storage, read_write> O: array<f32>;
${NUMERICS_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${linearIndexWgsl(WG)};
  if (i >= P(0u)) { return; }
  let N = P(1u);
  let H = P(2u);${body}
}`,
  };
}

/** Runs `cell` over `inputs` (made contiguous) into a new float32 array of `shape`; N and H are the state's rows and units. */
function run(
  ctx: KernelContext,
  cell: Cell,
  inputs: readonly GpuArray[],
  shape: number[],
  n: number,
  h: number,
): GpuArray {
  const plain = inputs.map((x) => ctx.contiguous(x));
  try {
    const out = ctx.alloc(cell, shape, 'float32');
    const offsets = plain.map((x) => x.offset);
    if (out.size > 0) ctx.run(program(cell), [out.size, n, h, ...offsets], [...plain, out], Math.ceil(out.size / WG));
    return out;
  } finally {
    for (const x of plain) ctx.release(x);
  }
}

/** h' and c' of an LSTM step, [2, N, H], from the gates' pre-activations [N, 4H] (f, g, i, o) and c [N, H]. */
export function lstmCell(ctx: KernelContext, gates: GpuArray, c: GpuArray): GpuArray {
  const [n, h] = c.shape;
  return run(ctx, 'lstm', [gates, c], [2, n, h], n, h);
}

/** The gradients of the gates (N·4H) then of c (N·H), flat, from dh and dc. */
export function lstmCellBackward(
  ctx: KernelContext,
  gates: GpuArray,
  c: GpuArray,
  dh: GpuArray,
  dc: GpuArray,
): GpuArray {
  const [n, h] = c.shape;
  return run(ctx, 'lstm-backward', [gates, c, dh, dc], [n * 5 * h], n, h);
}

/** h' of a GRU step, [N, H], from the input's and the recurrent shares [N, 3H] (r, z, n) and h [N, H]. */
export function gruCell(ctx: KernelContext, xg: GpuArray, hg: GpuArray, h: GpuArray): GpuArray {
  const [n, size] = h.shape;
  return run(ctx, 'gru', [xg, hg, h], [n, size], n, size);
}

/** The gradients of xg (N·3H), hg (N·3H) and h (N·H), flat, from dy. */
export function gruCellBackward(ctx: KernelContext, xg: GpuArray, hg: GpuArray, h: GpuArray, dy: GpuArray): GpuArray {
  const [n, size] = h.shape;
  return run(ctx, 'gru-backward', [xg, hg, h, dy], [n * 7 * size], n, size);
}
