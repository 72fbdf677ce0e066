/**
 * The `--backend cpu|webgpu` option of the spiral examples: with `webgpu`, every tensor the example
 * creates lives on the WebGPU backend (Dawn in Node; lavapipe where there is no GPU).
 *
 * Run: node --import tsx examples/spiral-trainer.ts --backend webgpu
 */
import { ArgumentError, getBackend, setBackend } from 'graphgrad';
import { createWebGPUBackend } from '@graphgrad/gpu';

/** The backend chosen on the command line, and how to release it when the example is done. */
export interface ChosenBackend {
  /** For the example's log: `cpu`, or `webgpu` and the adapter. */
  readonly description: string;
  /** Restores the previous default backend and releases the device (so Node can exit). */
  close(): void;
}

/**
 * Reads `--backend` from `argv` (default `cpu`) and, for `webgpu`, makes a new WebGPU backend the
 * default for tensors created from now on.
 *
 * @example
 * const backend = await backendFromArgs(['--backend', 'webgpu']);
 * try { await main(); } finally { backend.close(); }
 */
export async function backendFromArgs(argv: readonly string[] = process.argv): Promise<ChosenBackend> {
  const at = argv.indexOf('--backend');
  const name = at >= 0 ? argv[at + 1] : 'cpu';
  if (name === 'cpu') return { description: 'cpu', close: () => undefined };
  if (name !== 'webgpu') throw new ArgumentError(`--backend: expected cpu or webgpu, got ${JSON.stringify(name)}`);
  const gpu = await createWebGPUBackend();
  const previous = getBackend();
  setBackend(gpu);
  return {
    description: `webgpu (${gpu.adapterName})`,
    close: () => {
      setBackend(previous);
      gpu.destroy();
    },
  };
}
