import { BackendError, DTypeError, formatShape, ShapeError } from '@graphgrad/core';
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
// 7 B stride along K, 8 B stride along N.
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
              `  c = col0 + lid.x * ${TN}u + ${4 * q + c}u; if (c < N) { C[r * N + c] = acc${i}_${q}.${lane[c]}; }`,
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
  ${declarations.join('\n  ')}
  for (var k0 = 0u; k0 < K; k0 = k0 + ${BK}u) {
    for (var e = tid; e < ${BM * BK}u; e = e + ${threads}u) {
      ${loadA}
      let gm = row0 + m; let gk = k0 + k;
      var v = 0.0;
      if (gm < M && gk < K) { v = A[P(3u) + gm * P(4u) + gk * P(5u)]; }
      let s = k * ${BM}u + m;
      As[s / 4u][s % 4u] = v;
    }
    for (var e = tid; e < ${BN * BK}u; e = e + ${threads}u) {
      ${loadB}
      let gn = col0 + n; let gk = k0 + k;
      var v = 0.0;
      if (gn < N && gk < K) { v = B[P(6u) + gk * P(7u) + gn * P(8u)]; }
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

/**
 * op(a)·op(b) for 2-D float32 arrays. A transpose flag only swaps which stride walks which axis,
 * so a transposed operand (or any strided view) is read in place: backward never copies one.
 * Tiles of both operands are staged in workgroup memory and each invocation accumulates a block
 * of outputs in registers.
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
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new ShapeError(`webgpu MatMul: needs 2-D operands, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [M, K] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [strideAM, strideAK] = transposeA ? [a.strides[1], a.strides[0]] : [a.strides[0], a.strides[1]];
  const [KB, N] = transposeB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  const [strideBK, strideBN] = transposeB ? [b.strides[1], b.strides[0]] : [b.strides[0], b.strides[1]];
  if (K !== KB) {
    throw new ShapeError(
      `webgpu MatMul: cannot multiply ${formatShape(a.shape)}${transposeA ? 'ᵀ' : ''} by ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''}`,
    );
  }
  if (M * N === 0) return ctx.alloc('MatMul', [M, N], 'float32');
  if (K === 0) return fill(ctx, 'MatMul', [M, N], 0, 'float32');
  const large = Math.ceil(M / LARGE.BM) * Math.ceil(N / LARGE.BN) >= 128;
  const tiling = large ? LARGE : SMALL;
  const gridX = Math.ceil(N / tiling.BN);
  const gridY = Math.ceil(M / tiling.BM);
  if (gridX > 65535 || gridY > 65535) {
    throw new BackendError(`webgpu MatMul: a [${M}, ${N}] product needs more than 65535 workgroups along one axis`);
  }
  const out = ctx.alloc('MatMul', [M, N], 'float32');
  const walkA: WalkA = strideAM === 1 && strideAK !== 1 ? 'm' : 'k';
  const walkB: WalkB = strideBK === 1 && strideBN !== 1 ? 'k' : 'n';
  const params = [M, N, K, a.offset, strideAM, strideAK, b.offset, strideBK, strideBN];
  ctx.run(program(tiling, walkA, walkB), params, [a, b, out], [gridX, gridY]);
  return out;
}
