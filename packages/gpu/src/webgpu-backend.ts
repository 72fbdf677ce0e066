import {
  BackendError,
  BINARY_KERNELS,
  DTypeError,
  formatShape,
  REDUCE_KERNELS,
  ShapeError,
  sizeOf,
  UNARY_KERNELS,
  type Backend,
  type BackendArray,
  type BinaryKernelName,
  type DType,
  type Kernels,
  type ReduceKernelName,
  type Shape,
  type TypedArray,
  type UnaryKernelName,
} from '@graphgrad/core';
import { BufferPool } from './buffer-pool.ts';
import { CommandBatch } from './command-batch.ts';
import { ConstantSlabs } from './constants.ts';
import { acquireDevice, type DeviceRequest } from './device.ts';
import { DeviceErrors } from './device-errors.ts';
import { BufferUsage, MAP_READ } from './gpu-flags.ts';
import { GpuArray, type GpuDType } from './gpu-array.ts';
import type { KernelContext } from './kernel-context.ts';
import { runCustomKernel, type WgslKernel } from './kernels/custom.ts';
import { copy, elementwise } from './kernels/elementwise.ts';
import { fill } from './kernels/fill.ts';
import { gather, oneHot } from './kernels/gather.ts';
import { matmul } from './kernels/matmul.ts';
import { argMax, reduce } from './kernels/reduce.ts';
import { gruCell, gruCellBackward, lstmCell, lstmCellBackward } from './kernels/recurrent-cells.ts';
import { cumsum } from './kernels/scan.ts';
import { scatterAdd } from './kernels/scatter-add.ts';
import { concat, slice, sliceScatter } from './kernels/slicing.ts';
import { softmax, softmaxCrossEntropy } from './kernels/softmax.ts';
import { broadcastTo, reshape, transpose } from './kernels/views.ts';
import { PipelineCache, type Program } from './pipeline-cache.ts';
import { propagatingPoison } from './poison.ts';
import { contiguousStrides, isContiguous } from './strides.ts';
import { UniformArena } from './uniform-arena.ts';

/** Options of `createWebGPUBackend`. */
export interface WebGPUBackendOptions extends DeviceRequest {
  /** Commands recorded before a batch is submitted without waiting for a read (default 64). */
  dispatchesPerSubmit?: number;
  /**
   * Bytes of released buffers kept for reuse; beyond it released buffers are destroyed (default
   * 4 GiB). A training step allocates its whole working set before `tidy` releases it, so the cap
   * should exceed one step's allocations, or every step re-creates (and re-zeroes) the excess.
   */
  maxPooledBytes?: number;
  /**
   * Workgroups per grid dimension before a dispatch folds into two dimensions (default: the
   * device's limit, 65535). Lower it only to exercise the folded grids on small arrays.
   */
  maxWorkgroupsPerDimension?: number;
}

/** Counts of the backend's device work, for tests and benchmarks. */
export interface WebGPUCounters {
  /** Command buffers submitted. */
  readonly submits: number;
  /** Compute dispatches recorded. */
  readonly dispatches: number;
  /** Compiled compute pipelines (one per kernel variant, whatever the shapes). */
  readonly pipelines: number;
  /** Released buffers waiting in the pool. */
  readonly pooledBuffers: number;
  /** Bind groups created: one per distinct binding, so a training loop's later steps create none. */
  readonly bindGroups: number;
  /** Distinct scalar constants (plain-number operands) held in the constant slabs. */
  readonly constants: number;
}

const BYTES_PER_ELEMENT = 4;

/**
 * The WebGPU backend: every kernel of the backend interface in WGSL, float32 and int32 arrays in
 * pooled device buffers, work recorded into batched command buffers and read back asynchronously.
 * Create it with `createWebGPUBackend`.
 */
export class WebGPUBackend implements Backend {
  /** `'webgpu'`, for messages. */
  readonly name = 'webgpu';
  /** float32 and int32: WGSL has no 64-bit floats, so a float64 tensor here is a `BackendError`. */
  readonly dtypes: readonly DType[] = ['float32', 'int32'];
  /** Every kernel of the backend interface, each recording WGSL dispatches. */
  readonly kernels: Kernels;
  /** The GPU device the backend runs on (shared with whoever supplied it). */
  readonly device: GPUDevice;
  /** The adapter's vendor, architecture and description, for messages and benchmark reports. */
  readonly adapterName: string;
  readonly #ownsDevice: boolean;
  readonly #pool: BufferPool;
  readonly #staging: BufferPool;
  readonly #arena: UniformArena;
  readonly #constants: ConstantSlabs;
  readonly #batch: CommandBatch;
  readonly #pipelines: PipelineCache;
  readonly #errors: DeviceErrors;
  readonly #maxWorkgroups: number;
  readonly #maxBindingBytes: number;
  readonly #context: KernelContext;

  /** @internal Use `createWebGPUBackend`. */
  constructor(device: GPUDevice, adapterName: string, ownsDevice: boolean, options: WebGPUBackendOptions) {
    this.device = device;
    this.adapterName = adapterName;
    this.#ownsDevice = ownsDevice;
    const maxPooled = options.maxPooledBytes ?? 4 * 1024 * 1024 * 1024;
    this.#pool = new BufferPool(device, BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST, maxPooled);
    this.#staging = new BufferPool(device, BufferUsage.MAP_READ | BufferUsage.COPY_DST, maxPooled);
    this.#arena = new UniformArena(device);
    this.#constants = new ConstantSlabs(device);
    this.#errors = new DeviceErrors(device);
    this.#pipelines = new PipelineCache(device);
    this.#batch = new CommandBatch(device, this.#arena, Math.max(1, options.dispatchesPerSubmit ?? 64), () => {
      this.#pool.destroyRetired();
      this.#staging.destroyRetired();
      this.#errors.rotate();
    });
    const deviceMax = device.limits.maxComputeWorkgroupsPerDimension;
    this.#maxWorkgroups = Math.max(1, Math.min(options.maxWorkgroupsPerDimension ?? deviceMax, deviceMax));
    this.#maxBindingBytes = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    this.#context = {
      maxWorkgroups: this.#maxWorkgroups,
      alloc: (op, shape, dtype) => this.#alloc(op, shape, dtype),
      allocClean: (op, shape, dtype) => this.#alloc(op, shape, dtype, true),
      keepClean: (x, restore) => {
        x.storage.restore = restore;
      },
      view: (base, shape, strides, offset) => this.#view(base, shape, strides, offset),
      release: (x) => this.#release(x),
      contiguous: (x) =>
        isContiguous(x.shape, x.strides)
          ? this.#view(x, x.shape, contiguousStrides(x.shape), x.offset)
          : copy(this.#context, x),
      run: (program, params, arrays, workgroups) => this.#run(program, params, arrays, workgroups),
      compileErrors: (program) => this.#pipelines.get(program).compileErrors,
    };
    this.kernels = propagatingPoison(this.#buildKernels());
  }

  #buildKernels(): Kernels {
    const ctx = this.#context;
    const unary = {} as Record<UnaryKernelName, (x: BackendArray) => BackendArray>;
    for (const name of UNARY_KERNELS) {
      unary[name] = (x) => {
        const a = this.#own(name, x, 'x');
        return elementwise(ctx, name, [a], a.dtype);
      };
    }
    const binary = {} as Record<BinaryKernelName, (a: BackendArray, b: BackendArray) => BackendArray>;
    for (const name of BINARY_KERNELS) {
      binary[name] = (x, y) => {
        const a = this.#own(name, x, 'a');
        const b = this.#own(name, y, 'b');
        if (a.dtype !== b.dtype)
          throw new DTypeError(`webgpu ${name}: dtypes differ: a is ${a.dtype}, b is ${b.dtype}`);
        return elementwise(ctx, name, [a, b], a.dtype);
      };
    }
    const reductions = {} as Record<
      ReduceKernelName,
      (x: BackendArray, axes: readonly number[], keepDims: boolean) => BackendArray
    >;
    for (const name of REDUCE_KERNELS) {
      reductions[name] = (x, axes, keepDims) => reduce(ctx, name, this.#own(name, x, 'x'), axes, keepDims);
    }
    return {
      ...unary,
      ...binary,
      ...reductions,
      ArgMax: (x, axis) => argMax(ctx, this.#own('ArgMax', x, 'x'), axis),
      MatMul: (a, b, ta, tb) => matmul(ctx, this.#own('MatMul', a, 'a'), this.#own('MatMul', b, 'b'), ta, tb),
      Transpose: (x, perm) => transpose(ctx, this.#own('Transpose', x, 'x'), perm),
      BroadcastTo: (x, shape) => broadcastTo(ctx, this.#own('BroadcastTo', x, 'x'), shape),
      Reshape: (x, shape) => reshape(ctx, this.#own('Reshape', x, 'x'), shape),
      Gather: (x, indices, axis) =>
        gather(ctx, this.#own('Gather', x, 'x'), this.#own('Gather', indices, 'indices'), axis),
      OneHot: (indices, depth, dtype) =>
        oneHot(ctx, this.#own('OneHot', indices, 'indices'), depth, this.#holdable('OneHot', dtype)),
      Cast: (x, dtype) => {
        const a = this.#own('Cast', x, 'x');
        const to = this.#holdable('Cast', dtype);
        if (to === a.dtype) return this.#view(a, a.shape, a.strides, a.offset);
        return elementwise(ctx, to === 'int32' ? 'CastToInt' : 'CastToFloat', [a], to);
      },
      Softmax: (x) => softmax(ctx, this.#own('Softmax', x, 'x')),
      SoftmaxCrossEntropy: (logits, target) =>
        softmaxCrossEntropy(
          ctx,
          this.#own('SoftmaxCrossEntropy', logits, 'logits'),
          this.#own('SoftmaxCrossEntropy', target, 'target'),
        ),
      ScatterAdd: (values, indices, axis, size) =>
        scatterAdd(
          ctx,
          this.#own('ScatterAdd', values, 'values'),
          this.#own('ScatterAdd', indices, 'indices'),
          axis,
          size,
        ),
      Slice: (x, starts, steps, shape) => slice(ctx, this.#own('Slice', x, 'x'), starts, steps, shape),
      SliceScatter: (x, starts, steps, shape) =>
        sliceScatter(ctx, this.#own('SliceScatter', x, 'x'), starts, steps, shape),
      Concat: (xs, axis) =>
        concat(
          ctx,
          xs.map((x, i) => this.#own('Concat', x, `xs[${i}]`)),
          axis,
        ),
      Where: (cond, x, y) => {
        const c = this.#own('Where', cond, 'cond');
        const a = this.#own('Where', x, 'a');
        const b = this.#own('Where', y, 'b');
        if (a.dtype !== b.dtype) throw new DTypeError(`webgpu Where: dtypes differ: a is ${a.dtype}, b is ${b.dtype}`);
        return elementwise(ctx, 'Where', [c, a, b], a.dtype);
      },
      Cumsum: (x, axis, reverse) => cumsum(ctx, this.#own('Cumsum', x, 'x'), axis, reverse),
      LSTMCell: (gates, c) => lstmCell(ctx, this.#own('LSTMCell', gates, 'gates'), this.#own('LSTMCell', c, 'c')),
      LSTMCellBackward: (gates, c, dh, dc) =>
        lstmCellBackward(
          ctx,
          this.#own('LSTMCellBackward', gates, 'gates'),
          this.#own('LSTMCellBackward', c, 'c'),
          this.#own('LSTMCellBackward', dh, 'dh'),
          this.#own('LSTMCellBackward', dc, 'dc'),
        ),
      GRUCell: (xg, hg, h) =>
        gruCell(ctx, this.#own('GRUCell', xg, 'xg'), this.#own('GRUCell', hg, 'hg'), this.#own('GRUCell', h, 'h')),
      GRUCellBackward: (xg, hg, h, dy) =>
        gruCellBackward(
          ctx,
          this.#own('GRUCellBackward', xg, 'xg'),
          this.#own('GRUCellBackward', hg, 'hg'),
          this.#own('GRUCellBackward', h, 'h'),
          this.#own('GRUCellBackward', dy, 'dy'),
        ),
    };
  }

  /** Checks that `x` is a live array of this backend. */
  #own(op: string, x: BackendArray, input: string): GpuArray {
    this.#errors.assertUsable(op);
    if (!(x instanceof GpuArray) || x.owner !== this) {
      throw new BackendError(
        `webgpu ${op}: input '${input}' is not an array of this WebGPU backend; move tensors with await t.to(backend)`,
      );
    }
    if (x.released)
      throw new BackendError(`webgpu ${op}: input '${input}' ${formatShape(x.shape)} was already disposed`);
    return x;
  }

  /** Narrows a dtype to one this backend holds, or explains that it cannot. */
  #holdable(op: string, dtype: DType): GpuDType {
    if (dtype === 'float32' || dtype === 'int32') return dtype;
    throw new BackendError(
      `webgpu ${op}: the webgpu backend cannot hold ${dtype} (it holds float32 and int32; WGSL has no 64-bit floats)`,
    );
  }

  #alloc(op: string, shape: Shape, dtype: GpuDType, clean = false): GpuArray {
    this.#errors.assertUsable(op);
    const bytes = sizeOf(shape) * BYTES_PER_ELEMENT;
    if (bytes > this.#maxBindingBytes) {
      throw new BackendError(
        `webgpu ${op}: ${formatShape(shape)} ${dtype} needs ${bytes} bytes; this device binds at most ${this.#maxBindingBytes}`,
      );
    }
    const storage = clean ? this.#pool.acquireClean(bytes) : this.#pool.acquire(bytes);
    return new GpuArray(this, [...shape], dtype, storage, contiguousStrides(shape), 0);
  }

  #view(base: GpuArray, shape: Shape, strides: readonly number[], offset: number): GpuArray {
    base.storage.refs++;
    const view = new GpuArray(this, [...shape], base.dtype, base.storage, [...strides], offset);
    // A view that reads the same elements in the same order (a reshape, a contiguous alias) keeps
    // the host's copy of them.
    if (
      base.hostValues !== undefined &&
      offset === base.offset &&
      sizeOf(shape) === base.size &&
      isContiguous(base.shape, base.strides) &&
      isContiguous(shape, strides)
    ) {
      view.hostValues = base.hostValues;
    }
    return view;
  }

  #release(x: GpuArray): void {
    if (!x.markReleased()) return;
    const storage = x.storage;
    if (storage.permanent) return;
    storage.refs--;
    if (storage.refs !== 0) return;
    const usable = this.#errors.unusable === null;
    const restore = storage.restore;
    if (restore !== null) {
      storage.restore = null;
      restore(usable);
      if (usable) this.#pool.releaseClean(storage);
    } else if (usable) this.#pool.release(storage);
  }

  #run(
    program: Program,
    params: readonly number[],
    arrays: readonly GpuArray[],
    workgroups: number | readonly [number, number] | readonly [number, number, number],
  ): void {
    this.#errors.assertUsable(program.key);
    let x: number;
    let y: number;
    let z = 1;
    if (typeof workgroups === 'number') {
      if (workgroups === 0) return;
      x = Math.min(workgroups, this.#maxWorkgroups);
      y = Math.ceil(workgroups / x);
    } else [x, y, z = 1] = workgroups;
    const limit = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (y > limit || z > limit) {
      throw new BackendError(`webgpu ${program.key}: ${x}×${y}×${z} workgroups exceed the device's grid`);
    }
    this.#batch.dispatch(
      this.#pipelines.get(program),
      params,
      arrays.map((a) => a.storage),
      x,
      y,
      z,
    );
  }

  /** A new array holding a copy of `data` (row-major) under `shape`. */
  fromData(data: TypedArray, shape: Shape, dtype: DType): BackendArray {
    const to = this.#holdable('fromData', dtype);
    const size = sizeOf(shape);
    if (data.length !== size)
      throw new ShapeError(`webgpu fromData: ${data.length} values cannot take shape ${formatShape(shape)}`);
    const out = this.#alloc('fromData', shape, to);
    if (size === 0) return out;
    const typed =
      to === 'float32'
        ? data instanceof Float32Array
          ? data
          : Float32Array.from(data)
        : data instanceof Int32Array
          ? data
          : Int32Array.from(data);
    // NOTE: writeBuffer runs on the queue before anything still being recorded; if a recorded
    // command uses this (pooled) buffer, submit it first so the upload cannot overtake it.
    if (out.storage.lastBatch === this.#batch.id && this.#batch.pending) this.#batch.flush();
    this.device.queue.writeBuffer(out.storage.buffer, 0, typed.buffer, typed.byteOffset, typed.byteLength);
    // NOTE: int32 arrays are indices and labels, small next to the data: a host copy lets gather,
    // oneHot and softmaxWithLoss reject an index out of range at the call (see hostValues).
    if (to === 'int32') out.hostValues = typed === data ? (typed as Int32Array).slice() : (typed as Int32Array);
    return out;
  }

  /** The values of an int32 array uploaded from the host (or a view in the same order), else undefined. */
  hostValues(x: BackendArray): TypedArray | undefined {
    return this.#own('hostValues', x, 'x').hostValues;
  }

  /** A new array of `shape` with every element `value` (float32 or int32). */
  fill(shape: Shape, value: number, dtype: DType): BackendArray {
    const to = this.#holdable('fill', dtype);
    if (shape.length === 0) {
      // a scalar (a plain-number operand) shares its constant's slot: nothing to release
      this.#errors.assertUsable('fill');
      const slot = this.#constants.slot(value, to);
      if (slot !== null) return new GpuArray(this, [], to, slot.storage, [], slot.offset);
    }
    return fill(this.#context, 'fill', shape, value, to);
  }

  /**
   * Runs a WGSL kernel of your own (from `defineWgslKernel`) with one invocation per element of a
   * new array of `output.shape`: the way a custom node's forward reaches the GPU. Inputs are read
   * as contiguous row-major arrays (views are copied first); `params` are float parameters the
   * WGSL reads with `param(i)`. The work is enqueued like any kernel's.
   *
   * @example
   * forward: (k, [x], _attrs, backend) =>
   *   backend instanceof WebGPUBackend
   *     ? backend.runKernel(swishKernel, [x], { shape: x.shape, dtype: x.dtype })
   *     : swishLoop(backend, x), // a host loop on the CPU (docs/writing-a-node.md)
   */
  runKernel(
    kernel: WgslKernel,
    inputs: readonly BackendArray[],
    output: { shape: Shape; dtype: DType },
    params: readonly number[] = [],
  ): BackendArray {
    const arrays = inputs.map((x, i) => this.#own(kernel.name, x, kernel.inputs[i] ?? `#${i}`));
    return runCustomKernel(
      this.#context,
      kernel,
      arrays,
      output.shape,
      this.#holdable(kernel.name, output.dtype),
      params,
    );
  }

  /**
   * The array's values, row-major, once they are on the host: submits what is recorded, copies the
   * array to a staging buffer and maps it. Any device error since the last read rejects the
   * promise with a `BackendError` instead of returning numbers.
   */
  async read(x: BackendArray): Promise<TypedArray> {
    const a = this.#own('read', x, 'x');
    if (a.poison === null) return this.#readValues(a);
    // Every read of an array a failed kernel computed (or one computed from it) fails the same way;
    // the read still runs, so that the device errors it claims are not left to the next one.
    const read = this.#readValues(a).then(
      (values) => ({ values, error: null }),
      (error: unknown) => ({ values: null, error: error instanceof Error ? error : new Error(String(error)) }),
    );
    const [outcome, failure] = await Promise.all([read, a.poison]);
    if (failure !== null) throw new BackendError(failure);
    if (outcome.error !== null) throw outcome.error;
    return outcome.values;
  }

  async #readValues(a: GpuArray): Promise<TypedArray> {
    const size = a.size;
    const Ctor = a.dtype === 'float32' ? Float32Array : Int32Array;
    if (size === 0) return new Ctor(0);
    const bytes = size * BYTES_PER_ELEMENT;
    const dense = this.#context.contiguous(a);
    const staging = this.#staging.acquire(bytes);
    this.#batch.copy(dense.storage, dense.offset * BYTES_PER_ELEMENT, staging.buffer, bytes);
    this.#release(dense);
    this.#batch.flush();
    // NOTE: the errors of the batches submitted up to this copy are claimed now, before waiting:
    // a read issued while this one waits must not take them, or it would report this read's
    // error and this read would return numbers.
    const batchErrors = this.#errors.take();
    let mapFailure: unknown = null;
    try {
      await staging.buffer.mapAsync(MAP_READ, 0, bytes);
    } catch (error) {
      mapFailure = error;
    }
    const errors = await batchErrors;
    const unusable = this.#errors.unusable;
    if (mapFailure !== null || errors.length > 0 || unusable !== null) {
      if (mapFailure === null) staging.buffer.unmap();
      const reasons = [
        ...errors,
        ...(unusable !== null ? [unusable] : []),
        ...(mapFailure !== null && unusable === null
          ? [`mapping failed: ${mapFailure instanceof Error ? mapFailure.message : JSON.stringify(mapFailure)}`]
          : []),
      ];
      throw new BackendError(`webgpu read of ${formatShape(a.shape)} ${a.dtype}: ${reasons.join('; ')}`);
    }
    const values = new Ctor(staging.buffer.getMappedRange(0, bytes).slice(0));
    staging.buffer.unmap();
    staging.refs = 0;
    this.#staging.release(staging);
    return values;
  }

  /** Releases the array; its buffer returns to the pool once no view shares it. */
  dispose(x: BackendArray): void {
    if (!(x instanceof GpuArray) || x.owner !== this) {
      throw new BackendError('webgpu dispose: the array does not belong to this WebGPU backend');
    }
    this.#release(x);
  }

  /** Device buffers held by arrays (allocated and not yet released); pooled buffers do not count. */
  liveBuffers(): number {
    return this.#pool.live;
  }

  /** Counts of submits, dispatches, compiled pipelines, pooled buffers and bind groups so far. */
  get counters(): WebGPUCounters {
    return {
      submits: this.#batch.counters.submits,
      dispatches: this.#batch.counters.dispatches,
      pipelines: this.#pipelines.size,
      pooledBuffers: this.#pool.pooled,
      bindGroups: this.#batch.bindGroupsCreated,
      constants: this.#constants.size,
    };
  }

  /** Submits the recorded work now (reads do this themselves). */
  flush(): void {
    this.#errors.assertUsable('flush');
    this.#batch.flush();
  }

  /**
   * Resolves when the device has finished all work submitted so far, rejecting with a
   * `BackendError` on a device error: the way a benchmark waits for the GPU without reading.
   */
  async sync(): Promise<void> {
    this.flush();
    const batchErrors = this.#errors.take();
    await this.device.queue.onSubmittedWorkDone();
    const errors = await batchErrors;
    const unusable = this.#errors.unusable;
    if (errors.length > 0 || unusable !== null) {
      throw new BackendError(`webgpu sync: ${[...errors, ...(unusable !== null ? [unusable] : [])].join('; ')}`);
    }
  }

  /**
   * Releases the device and every buffer of the backend, those of live tensors included; reads in
   * flight and later calls reject or throw a `BackendError`. Call it when done so a Node process
   * can exit promptly (a device supplied in the options is left alive for its other users).
   */
  destroy(): void {
    if (this.#errors.unusable !== null && this.#errors.unusable.startsWith('the backend was destroyed')) return;
    this.#errors.markDestroyed();
    this.#pool.destroyAll();
    this.#staging.destroyAll();
    this.#arena.destroy();
    this.#constants.destroy();
    if (this.#ownsDevice) this.device.destroy();
  }
}

/**
 * Creates a WebGPU backend: on the browser's `navigator.gpu` when there is one, otherwise on Dawn
 * through the `webgpu` package (in Node; on a machine without a GPU through Mesa's lavapipe).
 * Make it the default with `setBackend`, or pass it as `{ backend }` when creating tensors; move a
 * tensor between backends with `await t.to(backend)`. It holds float32 and int32 (a float64 tensor
 * is a `BackendError`). Call `destroy()` when done.
 *
 * @example
 * const gpu = await createWebGPUBackend();
 * setBackend(gpu);                          // new tensors live on the GPU
 * const x = randn([30, 2]);                 // float32 on webgpu
 * const onCpu = await x.to(cpuBackend());   // and back through the host
 * console.log(await x.data());              // reads are asynchronous
 * gpu.destroy();
 */
export async function createWebGPUBackend(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  const { device, adapterName } = await acquireDevice(options);
  return new WebGPUBackend(device, adapterName, options.device === undefined, options);
}
