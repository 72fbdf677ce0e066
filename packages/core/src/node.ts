import type { Backend, BackendArray, Kernels } from './backend.ts';
import { requireFunction } from './arguments.ts';
import { describeValue } from './describe-value.ts';
import { ArgumentError, BackendError, ModifiedInPlaceError } from './errors.ts';
import { runComposedForward, runKernelForward } from './forward.ts';
import { isGradEnabled } from './grad-mode.ts';
import { isFloatDType, type DType } from './dtype.ts';
import { formatShape, type Shape } from './shape.ts';
import { tapeObserver } from './tape-observer.ts';
import type { Tensor } from './tensor.ts';

/** What a gradient rule can read: the node's inputs, its saved outputs and its attributes. */
export interface BackwardContext<Attrs> {
  /** The node's inputs, as they were in the forward pass. */
  readonly inputs: readonly Tensor[];
  /** The node's outputs, when its spec sets `saveOutputs` (empty otherwise). */
  readonly outputs: readonly Tensor[];
  /** The attributes the node was applied with (axes, transposes, …). */
  readonly attrs: Attrs;
  /**
   * Whether input `index`'s gradient is used (it requires a gradient and is differentiable): a rule
   * may return null for an input that needs none and skip computing it. Call it as
   * `ctx.needsGrad(i)` (it is a method).
   */
  needsGrad(index: number): boolean;
}

/** What every node spec declares, whichever way its forward is written. */
interface NodeSpecBase<Attrs> {
  /** PascalCase kind, shown in errors and graph pictures: `'MatMul'`. */
  readonly kind: string;
  /** Names of the inputs, in order, for messages. */
  readonly inputs: readonly string[];
  /** Which inputs carry a gradient (default: every float input). */
  readonly differentiable?: readonly boolean[];
  /** Keep the outputs for the backward rule (sigmoid and softmax use y). */
  readonly saveOutputs?: boolean;
  /**
   * Gradients of the inputs given the gradients of the outputs (one per output; zeros where an
   * output was unused). Return null for an input that gets no gradient. A gradient may be shaped
   * like a broadcast of its input; the engine sums it back.
   */
  backward(ctx: BackwardContext<Attrs>, ...gradOutputs: Tensor[]): readonly (Tensor | null)[];
}

/**
 * A node whose forward runs the backend's kernels on the inputs' arrays. Every array the forward
 * makes and does not return is released when it ends (or throws): temporaries need no dispose.
 */
export interface KernelNodeSpec<Attrs = void> extends NodeSpecBase<Attrs> {
  /** Computes the outputs from the inputs' arrays with the backend's kernels. */
  readonly forward: (
    kernels: Kernels,
    inputs: readonly BackendArray[],
    attrs: Attrs,
    backend: Backend,
  ) => BackendArray | readonly BackendArray[];
  /** Not allowed with `forward`. */
  readonly compose?: never;
}

/**
 * A node whose forward is composed of other nodes (run without recording, its intermediates freed):
 * one node on the tape, with a backward of its own. How a fused layer is written without kernels.
 */
export interface ComposedNodeSpec<Attrs = void> extends NodeSpecBase<Attrs> {
  /** Computes the outputs from the input tensors with other operations. */
  readonly compose: (inputs: readonly Tensor[], attrs: Attrs) => Tensor | readonly Tensor[];
  /** Not allowed with `compose`. */
  readonly forward?: never;
}

/**
 * One differentiable operation, declared in one object: its name, its inputs, which of them are
 * differentiable, its forward (kernels on backend arrays, or a composition of other nodes) and its
 * backward (written in nodes, so it runs on every backend and can itself be differentiated).
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
export type NodeSpec<Attrs = void> = KernelNodeSpec<Attrs> | ComposedNodeSpec<Attrs>;

let nextNodeId = 0;

/** What a node that saves no outputs shows its rule (one frozen list, not one per call). */
const NO_OUTPUTS: readonly Tensor[] = Object.freeze([]);

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
  /** Where user code created the node (only recorded in anomaly mode). */
  readonly callSite: string | undefined;
  /** How many outputs the node has. */
  readonly outputCount: number;
  #inputs: readonly Tensor[] | null;
  /** The inputs' shapes, taken when the node is freed (until then they are read off the inputs). */
  #inputShapes: readonly Shape[] | null = null;
  #outputs: readonly Tensor[] | null = null;
  // NOTE: the output metadata is kept flat for the usual single output, so that recording a node
  // allocates no arrays or objects beyond the node itself; `outputMeta` builds the list on demand.
  readonly #shape0: Shape;
  readonly #dtype0: DType;
  readonly #restMeta: readonly OutputMeta[] | null;
  #pending: (Tensor | undefined)[] | null = null;
  #pendingOne: Tensor | undefined = undefined;
  #mark = 0;
  // The inputs' versions when the node was recorded (flat for the usual one or two inputs).
  readonly #version0: number;
  readonly #version1: number;
  readonly #moreVersions: readonly number[] | null;

  constructor(
    spec: NodeSpec<unknown>,
    inputs: readonly Tensor[],
    attrs: unknown,
    outputs: BackendArray | readonly BackendArray[],
  ) {
    this.spec = spec;
    this.kind = spec.kind;
    this.attrs = attrs;
    this.#inputs = inputs;
    this.#version0 = inputs[0].version;
    this.#version1 = inputs.length > 1 ? inputs[1].version : 0;
    this.#moreVersions = inputs.length > 2 ? inputs.slice(2).map((t) => t.version) : null;
    if (isArrayList(outputs)) {
      this.outputCount = outputs.length;
      this.#shape0 = outputs[0].shape;
      this.#dtype0 = outputs[0].dtype;
      this.#restMeta = outputs.slice(1).map(({ shape, dtype }) => ({ shape, dtype }));
    } else {
      this.outputCount = 1;
      this.#shape0 = outputs.shape;
      this.#dtype0 = outputs.dtype;
      this.#restMeta = null;
    }
    this.callSite = tapeObserver()?.callSite?.();
  }

  // NOTE: a node is also the `TensorOrigin` of its first output (`node` is itself, `outputIndex` 0),
  // which saves an object per recorded node; later outputs get origin objects of their own.
  /** The node itself, as the origin of its first output (`TensorOrigin.node`). */
  get node(): GraphNode {
    return this;
  }

  /** 0: the node stands as the origin of its first output (`TensorOrigin.outputIndex`). */
  get outputIndex(): number {
    return 0;
  }

  /** The inputs, or null once `backward()` freed this node. */
  get inputs(): readonly Tensor[] | null {
    return this.#inputs;
  }

  /** Shapes of the inputs, kept after the graph is freed, for messages. */
  get inputShapes(): readonly Shape[] {
    return this.#inputShapes ?? this.#inputs!.map((t) => t.shape);
  }

  /** Shape and dtype of each output (a gradient of zeros stands in for an unused one). */
  get outputMeta(): readonly OutputMeta[] {
    const first: OutputMeta = { shape: this.#shape0, dtype: this.#dtype0 };
    return this.#restMeta === null ? [first] : [first, ...this.#restMeta];
  }

  /** @internal The gradient of the only output gathered so far by the backward pass in progress (no list for one output). */
  get pendingGrad(): Tensor | undefined {
    return this.#pendingOne;
  }

  /** @internal */
  set pendingGrad(grad: Tensor | undefined) {
    this.#pendingOne = grad;
  }

  /** @internal The gradients of the outputs gathered so far by the backward pass in progress (nodes of several outputs). */
  get pendingGrads(): (Tensor | undefined)[] | null {
    return this.#pending;
  }

  /** @internal */
  set pendingGrads(grads: (Tensor | undefined)[] | null) {
    this.#pending = grads;
  }

  /** @internal The number of the last topological sort that reached this node (the engine's visited set). */
  get mark(): number {
    return this.#mark;
  }

  /** @internal */
  set mark(sort: number) {
    this.#mark = sort;
  }

  /** @internal */
  get savedOutputs(): readonly Tensor[] {
    return this.#outputs ?? NO_OUTPUTS;
  }

  /** The saved outputs (empty unless the spec sets `saveOutputs`), as a rule's context shows them. */
  get outputs(): readonly Tensor[] {
    return this.#outputs ?? NO_OUTPUTS;
  }

  /** Whether input `index` takes part in differentiation (false once the node is freed). See `BackwardContext.needsGrad`. */
  needsGrad(index: number): boolean {
    const inputs = this.#inputs;
    return inputs !== null && index < inputs.length && inputIsDifferentiable(this.spec, index, inputs[index]);
  }

  /** @internal */
  saveOutputs(outputs: readonly Tensor[]): void {
    this.#outputs = outputs;
  }

  /**
   * @internal The version `t` had when this node was recorded, when `t` is one of its inputs or
   * saved outputs (which are born at version 0); undefined for any other tensor.
   */
  recordedVersion(t: Tensor): number | undefined {
    const inputs = this.#inputs;
    if (inputs !== null) {
      for (let i = 0; i < inputs.length; i++) {
        if (inputs[i] === t) return i === 0 ? this.#version0 : i === 1 ? this.#version1 : this.#moreVersions![i - 2];
      }
    }
    return this.#outputs?.includes(t) === true ? 0 : undefined;
  }

  /** True once `backward()` freed this node (without `retainGraph`). */
  get isFreed(): boolean {
    return this.#inputs === null;
  }

  /** @internal Drops the references to inputs and saved outputs so their memory can go. */
  free(): void {
    if (this.#inputs === null) return;
    this.#inputShapes = this.#inputs.map((t) => t.shape);
    this.#inputs = null;
    this.#outputs = null;
  }

  /** Whether input `i` takes part in differentiation. */
  isDifferentiable(i: number, input: Tensor): boolean {
    return inputIsDifferentiable(this.spec, i, input);
  }
}

/** Shape and dtype of one output of a node. */
export interface OutputMeta {
  /** The output's shape. */
  readonly shape: Shape;
  /** The output's dtype. */
  readonly dtype: DType;
}

function isArrayList(x: BackendArray | readonly BackendArray[]): x is readonly BackendArray[] {
  return Array.isArray(x);
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

/** The backend all inputs share, or a `BackendError` naming the odd one out. */
function commonBackend(spec: NodeSpec<unknown>, inputs: readonly Tensor[]): Backend {
  const backend = inputs[0].backend;
  for (let i = 1; i < inputs.length; i++) {
    if (inputs[i].backend !== backend) {
      // Two instances of one kind of backend share a name; say so rather than "cpu and cpu".
      const other =
        inputs[i].backend.name === backend.name
          ? `another ${backend.name} backend instance`
          : `the ${inputs[i].backend.name} backend`;
      throw new BackendError(
        `${spec.kind}: input '${spec.inputs[i]}' is on ${other}, ` +
          `'${spec.inputs[0]}' on the ${backend.name} backend; move one with await t.to(backend)`,
      );
    }
  }
  return backend;
}

/** The inputs' backend arrays (written out for one and two inputs: this runs for every node). */
function arraysOf(inputs: readonly Tensor[]): BackendArray[] {
  switch (inputs.length) {
    case 1:
      return [inputs[0].array];
    case 2:
      return [inputs[0].array, inputs[1].array];
    default:
      return inputs.map((t) => t.array);
  }
}

/** Whether the node must be recorded: gradients are on and some input takes part in differentiation. */
function needsRecording(spec: NodeSpec<unknown>, inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (let i = 0; i < inputs.length; i++) if (inputIsDifferentiable(spec, i, inputs[i])) return true;
  return false;
}

/** The constructor of `Tensor`, as node.ts reaches it: through a tensor it was given. */
type TensorClass = new (...args: ConstructorParameters<typeof Tensor>) => Tensor;

/**
 * A new tensor of the same class as `like` (whose backend holds `array`).
 *
 * NOTE: outputs are made through an input's class rather than an import of tensor.ts, because
 * tensor.ts imports the engine (for `backward()`), and the engine records its bookkeeping
 * operations as nodes: importing Tensor here would close that circle.
 */
export function tensorLike(
  like: Tensor,
  array: BackendArray,
  requiresGrad = false,
  origin: Tensor['origin'] = null,
): Tensor {
  return new (like.constructor as TensorClass)(array, like.backend, requiresGrad, origin);
}

function outputTensor(like: Tensor, array: BackendArray, node: GraphNode | null, outputIndex: number): Tensor {
  if (node === null) return tensorLike(like, array);
  return tensorLike(like, array, isFloatDType(array.dtype), outputIndex === 0 ? node : { node, outputIndex });
}

/** The node whose gradient rule is running, while one is (the engine sets it around each rule). */
let differentiating: GraphNode | null = null;

/** @internal Runs `rule` as the gradient rule of `node`: the tensors it uses are checked for in-place changes. */
export function asRuleOf<T>(node: GraphNode, rule: () => T): T {
  const outer = differentiating;
  differentiating = node;
  try {
    return rule();
  } finally {
    differentiating = outer;
  }
}

/**
 * Refuses to compute a gradient from a tensor that changed in place since `node` saved it: the
 * rule would read the new values (PyTorch's version counter check).
 */
function checkVersions(node: GraphNode, inputs: readonly Tensor[]): void {
  for (const t of inputs) {
    const recorded = node.recordedVersion(t);
    if (recorded === undefined || recorded === t.version) continue;
    const where =
      node.callSite === undefined
        ? 'run the forward under detectAnomaly to see where the node was created'
        : `the node was created\n${node.callSite
            .split('\n')
            .map((frame) => `    ${frame}`)
            .join('\n')}`;
    throw new ModifiedInPlaceError(
      `backward: tensor #${t.id} ${formatShape(t.shape)} ${t.dtype} was changed in place (it is at version ` +
        `${t.version}; ${node.kind} (node #${node.id}) saved it at version ${recorded} for its gradient, which ` +
        `would use the new values); compute the forward again after changing it, or change a copy; ${where}`,
    );
  }
}

/** The node's forward, of either kind, on inputs that share `backend`. */
function forwardOf<Attrs>(
  spec: NodeSpec<Attrs>,
  backend: Backend,
  inputs: readonly Tensor[],
  attrs: Attrs,
): BackendArray | readonly BackendArray[] {
  if (spec.compose !== undefined) return runComposedForward(spec.compose, inputs, attrs);
  return runKernelForward(spec.forward, backend, arraysOf(inputs), attrs);
}

function run<Attrs>(spec: NodeSpec<Attrs>, inputs: readonly Tensor[], attrs: Attrs): Tensor[] {
  const generic = spec as NodeSpec<unknown>;
  const backend = commonBackend(generic, inputs);
  if (differentiating !== null) checkVersions(differentiating, inputs);
  return finishRun(generic, inputs, attrs, forwardOf(spec, backend, inputs, attrs));
}

/** `run` for the usual node of one output, without the list of outputs. */
function runOne<Attrs>(spec: NodeSpec<Attrs>, inputs: readonly Tensor[], attrs: Attrs): Tensor {
  const generic = spec as NodeSpec<unknown>;
  const backend = commonBackend(generic, inputs);
  if (differentiating !== null) checkVersions(differentiating, inputs);
  const result = forwardOf(spec, backend, inputs, attrs);
  if (isArrayList(result) || spec.saveOutputs || tapeObserver() !== null)
    return finishRun(generic, inputs, attrs, result)[0];
  const node = needsRecording(generic, inputs) ? new GraphNode(generic, inputs, attrs, result) : null;
  return outputTensor(inputs[0], result, node, 0);
}

/** The general tail of `run`, for a forward already computed. */
function finishRun(
  spec: NodeSpec<unknown>,
  inputs: readonly Tensor[],
  attrs: unknown,
  result: BackendArray | readonly BackendArray[],
): Tensor[] {
  const node = needsRecording(spec, inputs) ? new GraphNode(spec, inputs, attrs, result) : null;
  const outArrays: readonly BackendArray[] = isArrayList(result) ? result : [result];
  const outputs = outArrays.map((a, i) => outputTensor(inputs[0], a, node, i));
  if (node !== null && spec.saveOutputs) node.saveOutputs(outputs);
  const observer = tapeObserver();
  if (observer?.forward !== undefined) {
    try {
      observer.forward(spec, inputs, outputs, node);
    } catch (error) {
      // A refused forward hands no outputs to the caller.
      for (const output of outputs) output.dispose();
      throw error;
    }
  }
  return outputs;
}

/** Declares a node kind from its spec. See `NodeSpec`. */
export function defineNode<Attrs = void>(spec: NodeSpec<Attrs>): NodeKind<Attrs> {
  const given: unknown = spec;
  if (given === null || typeof given !== 'object')
    throw new ArgumentError(`defineNode: spec must be an object, got ${describeValue(given)}`);
  if (typeof spec.kind !== 'string' || spec.kind === '' || spec.kind.length > 100)
    throw new ArgumentError(`defineNode: kind must be a name, got ${describeValue(spec.kind)}`);
  const inputs: unknown = spec.inputs;
  if (!Array.isArray(inputs) || !inputs.every((i) => typeof i === 'string'))
    throw new ArgumentError(`defineNode: ${spec.kind}'s inputs must be a list of names, got ${describeValue(inputs)}`);
  for (const key of ['forward', 'compose', 'backward'] as const) {
    const rule: unknown = (spec as unknown as Record<string, unknown>)[key];
    if (rule !== undefined) requireFunction('defineNode', rule, `${spec.kind}'s ${key}`);
  }
  if (spec.inputs.length === 0) throw new ArgumentError(`defineNode: ${spec.kind} needs at least one input`);
  if ((spec.forward === undefined) === (spec.compose === undefined)) {
    throw new ArgumentError(
      `defineNode: ${spec.kind} needs exactly one of forward (kernels) and compose (other nodes)`,
    );
  }
  return {
    spec,
    apply: (inputs, attrs) => runOne(spec, inputs, attrs),
    applyMany: (inputs, attrs) => run(spec, inputs, attrs),
  };
}
