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
  /**
   * What the WGSL compiler said of the source: null when it compiled, otherwise its errors (line,
   * column and message). Known only asynchronously, as WebGPU reports compilation.
   */
  readonly compileErrors: Promise<string | null>;
}

/** The compiler's error messages for `module`, or null when it has none. */
async function compileErrorsOf(module: GPUShaderModule): Promise<string | null> {
  try {
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length === 0) return null;
    return errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
  } catch (error) {
    return `compilation info unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
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
      compiled = { pipeline, layout: pipeline.getBindGroupLayout(0), compileErrors: compileErrorsOf(module) };
      this.#compiled.set(program.key, compiled);
    }
    return compiled;
  }

  /** Number of compiled pipelines. */
  get size(): number {
    return this.#compiled.size;
  }
}
