/**
 * A WGSL compute program: its source and the key that identifies it. Programs that differ only in
 * shapes share a key, because shapes travel in the parameter block, not in the source.
 */
export interface Program {
  /** Identifies the source: kernel, dtypes and code variant. */
  readonly key: string;
  /** The WGSL source (built only on a cache miss). */
  source(): string;
}

/** A compiled program and the bind group layout its dispatches use. */
export interface CompiledProgram {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

/** Compute pipelines by program key: each WGSL variant is compiled once per device. */
export class PipelineCache {
  readonly #device: GPUDevice;
  readonly #compiled = new Map<string, CompiledProgram>();

  constructor(device: GPUDevice) {
    this.#device = device;
  }

  get(program: Program): CompiledProgram {
    let compiled = this.#compiled.get(program.key);
    if (compiled === undefined) {
      const module = this.#device.createShaderModule({ code: program.source(), label: program.key });
      const pipeline = this.#device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
        label: program.key,
      });
      compiled = { pipeline, layout: pipeline.getBindGroupLayout(0) };
      this.#compiled.set(program.key, compiled);
    }
    return compiled;
  }

  /** Number of compiled pipelines. */
  get size(): number {
    return this.#compiled.size;
  }
}
