import type { Backend, BackendArray, Kernels } from './backend.ts';
import { BackendError, DTypeError } from './errors.ts';
import { isGradEnabled } from './grad-mode.ts';
import { isFloatDType, type DType } from './dtype.ts';
import type { Shape } from './shape.ts';
import { Tensor } from './tensor.ts';

/** What a gradient rule can read: the node's inputs, its saved outputs and its attributes. */
export interface BackwardContext<Attrs> {
  /** The node's inputs, as they were in the forward pass. */
  readonly inputs: readonly Tensor[];
  /** The node's outputs, when its spec sets `saveOutputs` (empty otherwise). */
  readonly outputs: readonly Tensor[];
  /** The attributes the node was applied with (axes, transposes, …). */
  readonly attrs: Attrs;
}

/**
 * One differentiable operation, declared in one object: its name, its inputs, which of them are
 * differentiable, its forward (kernels on backend arrays) and its backward (written in nodes, so
 * it runs on every backend and can itself be differentiated).
 *
 * @example
 * const Square = defineNode<void>({
 *   kind: 'Square',
 *   inputs: ['x'],
 *   forward: (k, [x]) => k.Mul(x, x),
 *   // dx = 2·x·dy
 *   backward: ({ inputs: [x] }, dy) => [mul(mul(dy, x), 2)],
 * });
 * const y = Square.apply([x]);
 */
export interface NodeSpec<Attrs = void> {
  /** PascalCase kind, shown in errors and graph pictures: `'MatMul'`. */
  readonly kind: string;
  /** Names of the inputs, in order, for messages. */
  readonly inputs: readonly string[];
  /** Which inputs carry a gradient (default: every float input). */
  readonly differentiable?: readonly boolean[];
  /** Keep the outputs for the backward rule (sigmoid and softmax use y). */
  readonly saveOutputs?: boolean;
  /**
   * Computes the outputs from the inputs' arrays with the backend's kernels. A forward that makes
   * temporary arrays releases them with `backend.dispose`.
   */
  forward(kernels: Kernels, inputs: readonly BackendArray[], attrs: Attrs, backend: Backend): BackendArray | readonly BackendArray[];
  /**
   * Gradients of the inputs given the gradients of the outputs (one per output; zeros where an
   * output was unused). Return null for an input that gets no gradient. A gradient may be shaped
   * like a broadcast of its input; the engine sums it back.
   */
  backward(ctx: BackwardContext<Attrs>, ...gradOutputs: Tensor[]): readonly (Tensor | null)[];
}

let nextNodeId = 0;

/** Lets anomaly mode attach the forward call site to each node without node.ts depending on it. */
let callSiteRecorder: (() => string | undefined) | null = null;

/** @internal Installs (or removes) the function that records where each node was created. */
export function setCallSiteRecorder(recorder: (() => string | undefined) | null): void {
  callSiteRecorder = recorder;
}

/** Called after every node's forward (anomaly mode checks the outputs); null when anomaly mode is off. */
let forwardObserver: ((spec: NodeSpec<unknown>, inputs: readonly Tensor[], outputs: readonly Tensor[], node: GraphNode | null) => void) | null = null;

/** @internal Installs (or removes) the function anomaly mode calls with each node's outputs. */
export function setForwardObserver(observer: typeof forwardObserver): void {
  forwardObserver = observer;
}

/** A recorded application of a node: the vertex of the graph that `backward()` walks. */
export class GraphNode {
  /** A process-wide serial number: larger ids were recorded later. */
  readonly id = nextNodeId++;
  /** The node kind (`spec.kind`): `'MatMul'`, `'Sigmoid'`, … */
  readonly kind: string;
  /** The spec the node was defined with, whose `backward` the engine calls. */
  readonly spec: NodeSpec<unknown>;
  /** The attributes the node was applied with. */
  readonly attrs: unknown;
  /** Shapes of the inputs, kept after the graph is freed, for messages. */
  readonly inputShapes: readonly Shape[];
  /** Where user code created the node (only recorded in anomaly mode). */
  readonly callSite: string | undefined;
  #inputs: readonly Tensor[] | null;
  #outputs: readonly Tensor[] | null = null;
  /** Shape and dtype of each output (a gradient of zeros stands in for an unused one). */
  readonly outputMeta: readonly {
    /** The output's shape. */
    readonly shape: Shape;
    /** The output's dtype. */
    readonly dtype: DType;
  }[];

  constructor(spec: NodeSpec<unknown>, inputs: readonly Tensor[], attrs: unknown, outputs: readonly BackendArray[]) {
    this.spec = spec;
    this.kind = spec.kind;
    this.attrs = attrs;
    this.#inputs = inputs;
    this.inputShapes = inputs.map((t) => t.shape);
    this.outputMeta = outputs.map(({ shape, dtype }) => ({ shape, dtype }));
    this.callSite = callSiteRecorder?.();
  }

  /** The inputs, or null once `backward()` freed this node. */
  get inputs(): readonly Tensor[] | null {
    return this.#inputs;
  }

  /** @internal */
  get savedOutputs(): readonly Tensor[] {
    return this.#outputs ?? [];
  }

  /** @internal */
  saveOutputs(outputs: readonly Tensor[]): void {
    this.#outputs = outputs;
  }

  /** True once `backward()` freed this node (without `retainGraph`). */
  get isFreed(): boolean {
    return this.#inputs === null;
  }

  /** @internal Drops the references to inputs and saved outputs so their memory can go. */
  free(): void {
    this.#inputs = null;
    this.#outputs = null;
  }

  /** Whether input `i` takes part in differentiation. */
  isDifferentiable(i: number, input: Tensor): boolean {
    return inputIsDifferentiable(this.spec, i, input);
  }
}

function inputIsDifferentiable(spec: NodeSpec<unknown>, i: number, input: Tensor): boolean {
  return input.requiresGrad && (spec.differentiable?.[i] ?? true) && isFloatDType(input.dtype);
}

/** A node kind made by `defineNode`: apply it to tensors to compute (and record) it. */
export interface NodeKind<Attrs> {
  /** The spec `defineNode` was given. */
  readonly spec: NodeSpec<Attrs>;
  /** Runs the forward on `inputs` (all on one backend) and records the node when a gradient is needed. */
  apply(inputs: readonly Tensor[], attrs: Attrs): Tensor;
  /** The same for nodes with several outputs. */
  applyMany(inputs: readonly Tensor[], attrs: Attrs): Tensor[];
}

function run<Attrs>(spec: NodeSpec<Attrs>, inputs: readonly Tensor[], attrs: Attrs): Tensor[] {
  const backend = inputs[0].backend;
  for (let i = 1; i < inputs.length; i++) {
    if (inputs[i].backend !== backend) {
      // Two instances of one kind of backend share a name; say so rather than "cpu and cpu".
      const other = inputs[i].backend.name === backend.name ? `another ${backend.name} backend instance` : `the ${inputs[i].backend.name} backend`;
      throw new BackendError(
        `${spec.kind}: input '${spec.inputs[i]}' is on ${other}, ` +
          `'${spec.inputs[0]}' on the ${backend.name} backend; move one with await t.to(backend)`,
      );
    }
  }
  const arrays = inputs.map((t) => t.array);
  const result = spec.forward(backend.kernels, arrays, attrs, backend);
  const outArrays: readonly BackendArray[] = Array.isArray(result) ? result : [result as BackendArray];
  const node = recordIfNeeded(spec, inputs, attrs, outArrays);
  const outputs = outArrays.map(
    (a, i) => new Tensor(a, backend, node !== null && isFloatDType(a.dtype), node && { node, outputIndex: i }),
  );
  if (node !== null && spec.saveOutputs) node.saveOutputs(outputs);
  if (forwardObserver !== null) forwardObserver(spec as NodeSpec<unknown>, inputs, outputs, node);
  return outputs;
}

function recordIfNeeded<Attrs>(spec: NodeSpec<Attrs>, inputs: readonly Tensor[], attrs: Attrs, outputs: readonly BackendArray[]): GraphNode | null {
  const generic = spec as NodeSpec<unknown>;
  if (!isGradEnabled() || !inputs.some((t, i) => inputIsDifferentiable(generic, i, t))) return null;
  return new GraphNode(generic, inputs, attrs, outputs);
}

/** Declares a node kind from its spec. See `NodeSpec`. */
export function defineNode<Attrs = void>(spec: NodeSpec<Attrs>): NodeKind<Attrs> {
  if (spec.inputs.length === 0) throw new DTypeError(`defineNode: ${spec.kind} needs at least one input`);
  return {
    spec,
    apply: (inputs, attrs) => run(spec, inputs, attrs)[0],
    applyMany: (inputs, attrs) => run(spec, inputs, attrs),
  };
}
