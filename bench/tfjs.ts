/**
 * TensorFlow.js for the benchmarks: `@tensorflow/tfjs` with its pure-JS CPU backend and its
 * WebAssembly backend (SIMD where the engine supports it; the .wasm files load from node_modules).
 * Both register with the same tfjs-core instance; {@link useTfjs} switches between them.
 *
 * ```ts
 * const tf = await useTfjs('wasm');
 * if (tf) { const y = tf.matMul(a, b); ... }
 * ```
 *
 * TensorFlow.js is imported on the first `useTfjs` call, not when this module loads: merely
 * loading it changes how fast V8 runs graphgrad's own kernels in the same process (measured on a
 * float32 add of 1e6 elements: a direct copy out of WebAssembly memory took the whole add from
 * 2.1 ms to 1.0–1.2 ms, the staged copy graphgrad uses from 0.85 ms to 1.3 ms), so a benchmark
 * measures graphgrad against numpy before TensorFlow.js is loaded, and against TensorFlow.js after.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

// The union package: tfjs-core with its gradient functions (which tfjs-core's own Node build lacks)
// and the cpu backend. The wasm backend registers with the same tfjs-core.
type TfjsModule = typeof import('@tensorflow/tfjs');

/** The TensorFlow.js namespace the benchmarks use. */
export type Tfjs = TfjsModule;
/** A TensorFlow.js backend the benchmarks compare against. */
export type TfjsBackend = 'cpu' | 'wasm';

let loaded: TfjsModule | undefined;
let wasmPathsSet = false;

/**
 * Makes `name` TensorFlow.js's backend and returns tfjs-core, or `undefined` (with a note on stderr)
 * when that backend does not initialise here.
 */
export async function useTfjs(name: TfjsBackend): Promise<Tfjs | undefined> {
  const tf = (loaded ??= await import('@tensorflow/tfjs'));
  if (name === 'wasm' && !wasmPathsSet) {
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    // The Node build of the backend would otherwise look for its .wasm beside the calling script.
    setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
    wasmPathsSet = true;
  }
  // The CPU backend advertises tfjs-node with a banner on console.warn at its first upload: keep it out of the tables.
  const warn = console.warn;
  console.warn = () => {};
  try {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
    await tf.ready();
    tf.scalar(0).dispose();
    return tf;
  } catch (error) {
    process.stderr.write(`bench: TensorFlow.js backend '${name}' is unavailable here: ${(error as Error).message}\n`);
    return undefined;
  } finally {
    console.warn = warn;
  }
}

/** The wasm backend's variant (simd, threads) as the benchmarks report it; call after {@link useTfjs}('wasm'). */
export function tfjsWasmVariant(): string {
  const tf = loaded;
  if (tf === undefined) return 'not loaded';
  const simd = tf.env().get('WASM_HAS_SIMD_SUPPORT');
  const threads = tf.env().get('WASM_HAS_MULTITHREAD_SUPPORT');
  return `simd ${String(simd)}, threads ${String(threads)}`;
}
