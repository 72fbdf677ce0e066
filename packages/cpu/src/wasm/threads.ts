/**
 * Worker threads that run the SIMD module's kernels on a shared WebAssembly memory (the wasm heap),
 * so that a large matrix product is split across cores. The kernels are synchronous: the calling
 * thread hands each worker its share, computes its own, and waits for the others with
 * `Atomics.wait`, which only a thread that may block can do (Node's main thread, a browser's
 * worker), never a browser page's main thread, which keeps one thread.
 *
 * Node's `worker_threads` is reached through `process.getBuiltinModule`, not imported, so a browser
 * bundle holds no reference to it; a browser starts a `Worker` from a Blob where the page is
 * cross-origin isolated (shared memory needs it). Anywhere else, or while the workers are still
 * starting (they start on first use, asynchronously), the calling thread runs every share itself:
 * the results are the same either way.
 */

/** A call of one of the module's exported functions: its name and its (i32) arguments. */
interface KernelCall {
  readonly fn: string;
  readonly args: readonly number[];
}

// The control block of one worker: Int32Array slots in a SharedArrayBuffer of its own.
const SEQ = 0; // the number of the last call handed over (the worker waits on it)
const DONE = 1; // the number of the last call finished (the caller waits on it)
const READY = 2; // 1 once the worker has instantiated the module
const FN = 3; // which function, an index into the names the worker was given; -1 stops it
const FAILED = 4; // 1 when the last call threw
const ARGS = 8; // the arguments, from here
const MAX_ARGS = 16;
const SLOTS = ARGS + MAX_ARGS;

/** Polls before sleeping in `Atomics.wait`: calls in quick succession then skip a wake-up. */
const SPINS = 4000;

// NOTE: plain JavaScript in a string rather than a module file: it runs unchanged from the sources
// (under tsx or vitest) and from the built package, in Node (`eval`) and in a browser (a Blob), with
// nothing to locate or bundle.
const WORKER_SOURCE = `
'use strict';
const start = (module, memory, control, names) => {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fns = names.map((name) => exports[name]);
  const c = new Int32Array(control);
  Atomics.store(c, ${READY}, 1);
  let seen = 0;
  for (;;) {
    let spins = 0;
    while (Atomics.load(c, ${SEQ}) === seen) {
      if (++spins > ${SPINS}) {
        Atomics.wait(c, ${SEQ}, seen);
        spins = 0;
      }
    }
    seen = Atomics.load(c, ${SEQ});
    const fn = c[${FN}];
    if (fn < 0) return;
    try {
      fns[fn](${Array.from({ length: MAX_ARGS }, (_, i) => `c[${ARGS + i}]`).join(', ')});
      c[${FAILED}] = 0;
    } catch {
      c[${FAILED}] = 1;
    }
    Atomics.store(c, ${DONE}, seen);
    Atomics.notify(c, ${DONE});
  }
};
if (typeof process === 'object' && typeof process.getBuiltinModule === 'function') {
  const { workerData } = process.getBuiltinModule('worker_threads');
  start(workerData.module, workerData.memory, workerData.control, workerData.names);
} else {
  onmessage = (e) => start(e.data.module, e.data.memory, e.data.control, e.data.names);
}
`;

/** What starts a worker on this platform, or null where no worker can share memory with this thread. */
type WorkerStarter = (data: {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  names: readonly string[];
}) => void;

interface NodeWorker {
  unref(): void;
}
interface NodeWorkerThreads {
  Worker: new (code: string, options: { eval: true; workerData: unknown }) => NodeWorker;
  isMainThread: boolean;
}

function workerStarter(): WorkerStarter | null {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return null;
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof nodeProcess?.getBuiltinModule === 'function') {
    const threads = nodeProcess.getBuiltinModule('node:worker_threads') as NodeWorkerThreads | undefined;
    if (threads === undefined) return null;
    return (workerData) => {
      // unref: an idle worker must not keep the process alive
      new threads.Worker(WORKER_SOURCE, { eval: true, workerData }).unref();
    };
  }
  const scope = globalThis as { crossOriginIsolated?: boolean; document?: unknown };
  // a page's main thread may not block in Atomics.wait; its workers may, when the page is isolated
  if (scope.crossOriginIsolated !== true || scope.document !== undefined || typeof Worker !== 'function') return null;
  return (data) => {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    new Worker(url).postMessage(data);
  };
}

/** Whether this thread can hand work to worker threads over shared memory (and wait for it). */
export function canStartWorkers(): boolean {
  return workerStarter() !== null;
}

/** The worker threads over one shared memory, each with its control block. */
export class ThreadPool {
  readonly #controls: Int32Array[] = [];
  readonly #names: readonly string[];
  readonly #exports: Readonly<Record<string, (...args: number[]) => void>>;
  #handed = 0;

  /**
   * Starts `workers` workers (at once; they become ready asynchronously) running `module` over
   * `memory`; `exports` are this thread's functions of the same instance layout, `names` the
   * exported functions a call may name. Throws where no worker can be started.
   */
  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    exports: Readonly<Record<string, (...args: number[]) => void>>,
    names: readonly string[],
    workers: number,
  ) {
    const start = workerStarter();
    if (start === null) throw new Error('ThreadPool: this thread cannot start workers over shared memory');
    this.#names = names;
    this.#exports = exports;
    for (let w = 0; w < workers; w++) {
      const control = new SharedArrayBuffer(SLOTS * 4);
      start({ module, memory, control, names });
      this.#controls.push(new Int32Array(control));
    }
  }

  /** Workers that have started and can take a call now. */
  get ready(): number {
    let n = 0;
    for (const c of this.#controls) if (Atomics.load(c, READY) === 1) n++;
    return n;
  }

  /** How many calls workers have run so far (tests check that work was handed over). */
  get handed(): number {
    return this.#handed;
  }

  /** How many workers the pool has (ready or starting). */
  get size(): number {
    return this.#controls.length;
  }

  /** Resolves once every worker is ready (for tests that compare threaded and single-threaded results). */
  async whenReady(): Promise<void> {
    while (this.ready < this.size) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /**
   * Runs the calls, the first on this thread and the others on ready workers (on this thread, in
   * order, where no worker is ready), and returns when all are done. The calls must touch disjoint
   * memory they write.
   */
  run(calls: readonly KernelCall[]): void {
    const handed: { control: Int32Array; seq: number }[] = [];
    let next = 0;
    for (let i = 1; i < calls.length; i++) {
      while (next < this.#controls.length && Atomics.load(this.#controls[next], READY) !== 1) next++;
      if (next === this.#controls.length) {
        this.#call(calls[i]);
        continue;
      }
      const c = this.#controls[next++];
      const { fn, args } = calls[i];
      c[FN] = this.#names.indexOf(fn);
      for (let a = 0; a < args.length; a++) c[ARGS + a] = args[a];
      const seq = (Atomics.load(c, SEQ) + 1) | 0;
      Atomics.store(c, SEQ, seq);
      Atomics.notify(c, SEQ);
      handed.push({ control: c, seq });
      this.#handed++;
    }
    let failed = false;
    try {
      this.#call(calls[0]);
    } finally {
      // even when this thread's share threw: the workers' shares write memory the caller may reuse
      for (const { control: c, seq } of handed) {
        let spins = 0;
        for (let done = Atomics.load(c, DONE); done !== seq; done = Atomics.load(c, DONE)) {
          if (++spins > SPINS) Atomics.wait(c, DONE, done);
        }
        if (c[FAILED] !== 0) failed = true;
      }
    }
    if (failed) throw new Error('ThreadPool: a worker thread failed running a kernel');
  }

  #call({ fn, args }: KernelCall): void {
    this.#exports[fn](...args);
  }
}
