import { BackendError, broadcastShapes, DTypeError, formatShape, ShapeError } from '@graphgrad/core';
import type { GpuArray } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { PARAMS_WGSL } from '../wgsl/params.ts';
import { fill } from './fill.ts';

/** A tiling: a workgroup computes a BM×BN block of C in steps of BK, each invocation TM×TN of it. */
interface Tiling {
  readonly name: string;
  readonly BM: number;
  readonly BN: number;
  readonly BK: number;
  readonly TM: number;
  readonly TN: number;
}

const LARGE: Tiling = { name: '128x128', BM: 128, BN: 128, BK: 8, TM: 8, TN: 8 };
const SMALL: Tiling = { name: '64x64', BM: 64, BN: 64, BK: 16, TM: 4, TN: 4 };

/**
 * The tile index that varies fastest while a tile is loaded: the operand's axis with stride 1,
 * so neighbouring invocations read neighbouring addresses whether or not it is a transposed view.
 */
type WalkA = 'k' | 'm';
type WalkB = 'k' | 'n';

// Parameter words: 0 M, 1 N, 2 K, 3 A offset, 4 A stride along M, 5 A stride along K, 6 B offset,
// 7 B stride along K, 8 B stride along N, 9 the batch element of workgroup z = 0, 10 number of batch
// axes; then for each batch axis d, 11 + 3d its length, 12 + 3d A's stride along it, 13 + 3d B's
// (0 where the operand is broadcast). Workgroup z computes one batch element of C.
function program(t: Tiling, walkA: WalkA, walkB: WalkB): Program {
  const { BM, BN, BK, TM, TN } = t;
  const threadsX = BN / TN;
  const threadsY = BM / TM;
  const threads = threadsX * threadsY;
  return {
    key: `matmul:${t.name}:${walkA}:${walkB}`,
    source: () => {
      // Tile element e of A's BM×BK tile (As is stored k-major: As[k][m]).
      const loadA =
        walkA === 'k' ? `let m = e / ${BK}u; let k = e % ${BK}u;` : `let m = e % ${BM}u; let k = e / ${BM}u;`;
      const loadB =
        walkB === 'n' ? `let n = e % ${BN}u; let k = e / ${BN}u;` : `let n = e / ${BK}u; let k = e % ${BK}u;`;
      const rowsV4 = TM / 4;
      const colsV4 = TN / 4;
      // The register block is unrolled in the generated source (constant indices only), so the
      // accumulators stay in registers on every driver: row i of the block is colsV4 vec4s.
      const lines: string[] = [];
      for (let q = 0; q < rowsV4; q++) lines.push(`let a${q} = As[(k * ${BM}u + lid.y * ${TM}u) / 4u + ${q}u];`);
      for (let q = 0; q < colsV4; q++) lines.push(`let b${q} = Bs[(k * ${BN}u + lid.x * ${TN}u) / 4u + ${q}u];`);
      const lane = ['x', 'y', 'z', 'w'];
      for (let i = 0; i < TM; i++) {
        const a = `a${Math.floor(i / 4)}.${lane[i % 4]}`;
        for (let q = 0; q < colsV4; q++) lines.push(`acc${i}_${q} = fma(vec4<f32>(${a}), b${q}, acc${i}_${q});`);
      }
      const declarations: string[] = [];
      for (let i = 0; i < TM; i++)
        for (let q = 0; q < colsV4; q++) declarations.push(`var acc${i}_${q} = vec4<f32>(0.0);`);
      const stores: string[] = [];
      for (let i = 0; i < TM; i++) {
        stores.push(`r = row0 + lid.y * ${TM}u + ${i}u;`);
        stores.push('if (r < M) {');
        for (let q = 0; q < colsV4; q++) {
          for (let c = 0; c < 4; c++) {
            stores.push(
              `  c = col0 + lid.x * ${TN}u + ${4 * q + c}u; if (c < N) { C[cAt + r * N + c] = acc${i}_${q}.${lane[c]}; }`,
            );
          }
        }
        stores.push('}');
      }
      return `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
var<workgroup> As: array<vec4<f32>, ${(BK * BM) / 4}>;
var<workgroup> Bs: array<vec4<f32>, ${(BK * BN) / 4}>;

@compute @workgroup_size(${threadsX}, ${threadsY})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let M = P(0u); let N = P(1u); let K = P(2u);
  let row0 = wid.y * ${BM}u;
  let col0 = wid.x * ${BN}u;
  let batch = wid.z + P(9u);
  var rest = batch;
  var aAt = P(3u);
  var bAt = P(6u);
  for (var d = P(10u); d > 0u; d = d - 1u) {
    let w = 8u + 3u * d;
    let i = rest % P(w);
    rest = rest / P(w);
    aAt = aAt + i * P(w + 1u);
    bAt = bAt + i * P(w + 2u);
  }
  let cAt = batch * M * N;
  ${declarations.join('\n  ')}
  for (var k0 = 0u; k0 < K; k0 = k0 + ${BK}u) {
    for (var e = tid; e < ${BM * BK}u; e = e + ${threads}u) {
      ${loadA}
      let gm = row0 + m; let gk = k0 + k;
      var v = 0.0;
      if (gm < M && gk < K) { v = A[aAt + gm * P(4u) + gk * P(5u)]; }
      let s = k * ${BM}u + m;
      As[s / 4u][s % 4u] = v;
    }
    for (var e = tid; e < ${BN * BK}u; e = e + ${threads}u) {
      ${loadB}
      let gn = col0 + n; let gk = k0 + k;
      var v = 0.0;
      if (gn < N && gk < K) { v = B[bAt + gk * P(7u) + gn * P(8u)]; }
      let s = k * ${BN}u + n;
      Bs[s / 4u][s % 4u] = v;
    }
    workgroupBarrier();
    for (var k = 0u; k < ${BK}u; k = k + 1u) {
      ${lines.join('\n      ')}
    }
    workgroupBarrier();
  }
  var r = 0u;
  var c = 0u;
  ${stores.join('\n  ')}
}`;
    },
  };
}

/** The most batch axes a dispatch takes (after merging those that can be merged). */
const MAX_BATCH_AXES = 16;

/** One operand's view as matrices: op(x)'s strides along rows and columns and along the output's batch axes. */
interface Operand {
  readonly rows: number;
  readonly cols: number;
  readonly rowStride: number;
  readonly colStride: number;
  readonly batchStrides: number[];
}

function operand(x: GpuArray, transposed: boolean, batch: readonly number[]): Operand {
  const r = x.shape.length;
  const lead = batch.length - (r - 2);
  const [rowAxis, colAxis] = transposed ? [r - 1, r - 2] : [r - 2, r - 1];
  return {
    rows: x.shape[rowAxis],
    cols: x.shape[colAxis],
    rowStride: x.strides[rowAxis],
    colStride: x.strides[colAxis],
    batchStrides: batch.map((_, d) => (d < lead || x.shape[d - lead] === 1 ? 0 : x.strides[d - lead])),
  };
}

/**
 * op(a)·op(b) for float32 arrays of at least two axes: the product of the last two, the axes before
 * them batch axes broadcast numpy's way. A transpose flag only swaps which stride walks which axis,
 * so a transposed operand (or any strided view) is read in place: backward never copies one. Tiles
 * of both operands are staged in workgroup memory and each invocation accumulates a block of
 * outputs in registers; each batch element is a layer of workgroups (z), reading its operands at
 * offsets from per-axis batch strides (0 along an axis an operand is broadcast on). Batch axes that
 * continue a's rows while b has none (`[B, T, H]·[H, V]`) fold into one taller product.
 */
export function matmul(
  ctx: KernelContext,
  a: GpuArray,
  b: GpuArray,
  transposeA: boolean,
  transposeB: boolean,
): GpuArray {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new DTypeError(`webgpu MatMul: needs float32 operands, got ${a.dtype} and ${b.dtype}`);
  }
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new ShapeError(
      `webgpu MatMul: needs operands of at least 2 axes, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const batch = broadcastShapes('webgpu MatMul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const A = operand(a, transposeA, batch);
  const B = operand(b, transposeB, batch);
  if (A.cols !== B.rows) {
    throw new ShapeError(
      `webgpu MatMul: cannot multiply ${formatShape(a.shape)}${transposeA ? 'ᵀ' : ''} by ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''}`,
    );
  }
  const [M, K, N] = [A.rows, A.cols, B.cols];
  const shape = [...batch, M, N];
  const count = batch.reduce((n, d) => n * d, 1);
  if (count * M * N === 0) return ctx.alloc('MatMul', shape, 'float32');
  if (K === 0) return fill(ctx, 'MatMul', shape, 0, 'float32');
  // Batch axes of length 1 drop out, and neighbours merge where both operands step over them as one.
  let axes = batch.map((length, d) => ({ length, a: A.batchStrides[d], b: B.batchStrides[d] }));
  axes = axes.filter((x) => x.length > 1);
  const merged: typeof axes = [];
  for (const axis of axes) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.a === axis.a * axis.length && last.b === axis.b * axis.length) {
      merged[merged.length - 1] = { length: last.length * axis.length, a: axis.a, b: axis.b };
    } else merged.push(axis);
  }
  // One taller product when b is shared by every batch element and a's batch continues its rows.
  const fold = merged.length === 1 && merged[0].b === 0 && merged[0].a === A.rowStride * M;
  const rows = fold ? count * M : M;
  const batchAxes = fold ? [] : merged;
  if (batchAxes.length > MAX_BATCH_AXES) {
    throw new BackendError(
      `webgpu MatMul: ${batchAxes.length} batch axes that do not merge; at most ${MAX_BATCH_AXES}`,
    );
  }
  const large = Math.ceil(rows / LARGE.BM) * Math.ceil(N / LARGE.BN) * (fold ? 1 : count) >= 128;
  const tiling = large ? LARGE : SMALL;
  const gridX = Math.ceil(N / tiling.BN);
  const gridY = Math.ceil(rows / tiling.BM);
  if (gridX > 65535 || gridY > 65535) {
    throw new BackendError(`webgpu MatMul: a [${rows}, ${N}] product needs more than 65535 workgroups along one axis`);
  }
  const out = ctx.alloc('MatMul', shape, 'float32');
  const walkA: WalkA = A.rowStride === 1 && A.colStride !== 1 ? 'm' : 'k';
  const walkB: WalkB = B.rowStride === 1 && B.colStride !== 1 ? 'k' : 'n';
  const batches = fold ? 1 : count;
  // one layer of workgroups per batch element, in as many dispatches as the grid's depth requires
  for (let first = 0; first < batches; first += ctx.maxWorkgroups) {
    const params = [rows, N, K, a.offset, A.rowStride, A.colStride, b.offset, B.rowStride, B.colStride, first];
    params.push(batchAxes.length, ...batchAxes.flatMap((x) => [x.length, x.a, x.b]));
    const layers = Math.min(ctx.maxWorkgroups, batches - first);
    ctx.run(program(tiling, walkA, walkB), params, [a, b, out], [gridX, gridY, layers]);
  }
  return out;
}
