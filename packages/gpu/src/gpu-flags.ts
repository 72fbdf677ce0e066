// NOTE: WebGPU's flag namespaces (GPUBufferUsage, GPUMapMode) are browser globals that Node does not
// define; their values are fixed by the specification, so the backend carries its own copies.

/** `GPUBufferUsage` bits the backend uses. */
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

/** `GPUMapMode.READ`. */
export const MAP_READ = 0x0001;
