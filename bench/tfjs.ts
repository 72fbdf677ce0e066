/**
 * TensorFlow.js for the benchmarks: `@tensorflow/tfjs` with its pure-JS CPU backend and its
 * WebAssembly backend (SIMD where the engine supports it; the .wasm files load from node_modules).
 * Both register with the same tfjs-core instance; {@link useTfjs} switches between them.
 *
 * ```ts
 * const tf = await useTfjs('wasm');
 * if (tf) { const y = tf.matMul(a, b); ... }
 * ```
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
// The union package: tfjs-core with its gradient functions (which tfjs-core's own Node build lacks)
// and the cpu backend. The wasm backend registers with the same tfjs-core.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** The TensorFlow.js namespace the benchmarks use. */
export type Tfjs = typeof tf;
/** A TensorFlow.js backend the benchmarks compare against. */
export type TfjsBackend = 'cpu' | 'wasm';

let wasmPathsSet = false;

/**
 * Makes `name` TensorFlow.js's backend and returns tfjs-core, or `undefined` (with a note on stderr)
 * when that backend does not initialise here.
 */
export async function useTfjs(name: TfjsBackend): Promise<Tfjs | undefined> {
  if (name === 'wasm' && !wasmPathsSet) {
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
  const simd = tf.env().get('WASM_HAS_SIMD_SUPPORT');
  const threads = tf.env().get('WASM_HAS_MULTITHREAD_SUPPORT');
  return `simd ${String(simd)}, threads ${String(threads)}`;
}
