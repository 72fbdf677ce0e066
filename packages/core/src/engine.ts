import { BackendError, GradientRuleError, GraphFreedError, NonFiniteSeedError, SeedGradientError } from './errors.ts';
import { withGradMode } from './grad-mode.ts';
import { asRuleOf, tensorLike, type BackwardContext, type GraphNode } from './node.ts';
import { ownedByInnermostScope, tidy, untrack } from './scope.ts';
import { broadcastsTo, formatShape, shapesEqual, type Shape } from './shape.ts';
import { tapeObserver } from './tape-observer.ts';
import { AddNode } from './tape-ops/add.ts';
import { AliasNode } from './tape-ops/alias.ts';
import { sumTo } from './tape-ops/broadcast.ts';
import type { Tensor } from './tensor.ts';

/** Options of `Tensor.backward`. */
export interface BackwardOptions {
  /** Keep the graph so `backward()` can run through it again (default false: it is freed). */
  retainGraph?: boolean;
  /** Record the backward pass itself, so gradients can be differentiated again (implies retainGraph). */
  createGraph?: boolean;
}

/**
 * Every node reachable from `root` through tensors that require a gradient, ordered so that each
 * node comes after all nodes that consume its outputs. Iterative, so deep chains cannot overflow
 * the stack.
 */
let sorts = 0;

function reverseTopologicalOrder(root: GraphNode): GraphNode[] {
  const postOrder: GraphNode[] = [];
  // A node is visited when its mark is this sort's number: no Set of nodes.
  const sort = ++sorts;
  root.mark = sort;
  // The depth-first stack as two parallel arrays (node, next input to visit): no frame objects.
  const nodes: GraphNode[] = [root];
  const next: number[] = [0];
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const node = nodes[top];
    const inputs = inputsOf(node);
    const i = next[top];
    if (i < inputs.length) {
      next[top] = i + 1;
      const input = inputs[i];
      const origin = input.origin;
      if (origin !== null && input.requiresGrad && origin.node.mark !== sort) {
        origin.node.mark = sort;
        nodes.push(origin.node);
        next.push(0);
      }
    } else {
      postOrder.push(node);
      nodes.pop();
      next.pop();
    }
  }
  return postOrder.reverse();
}

function inputsOf(node: GraphNode): readonly Tensor[] {
  const inputs = node.inputs;
  if (inputs === null) {
    throw new GraphFreedError(
      `backward: the graph through ${node.kind} (node #${node.id}) was already freed by an earlier backward(); ` +
        'pass { retainGraph: true } to the first backward() to run through it again',
    );
  }
  return inputs;
}

function checkSeed(root: Tensor, seed: Tensor | null): void {
  if (seed === null) {
    if (root.size !== 1) {
      throw new SeedGradientError(
        `backward: tensor ${formatShape(root.shape)} is not a scalar; pass a seed gradient of shape ${formatShape(root.shape)}`,
      );
    }
    return;
  }
  if (!shapesEqual(seed.shape, root.shape)) {
    throw new SeedGradientError(
      `backward: seed gradient ${formatShape(seed.shape)} does not match tensor ${formatShape(root.shape)}`,
    );
  }
  if (seed.dtype !== root.dtype) {
    throw new SeedGradientError(`backward: seed gradient is ${seed.dtype}, tensor is ${root.dtype}`);
  }
  if (seed.backend !== root.backend) {
    // Two instances of one kind of backend share a name; say so rather than "cpu, tensor on cpu".
    const other =
      seed.backend.name === root.backend.name
        ? `another ${root.backend.name} backend instance`
        : `the ${seed.backend.name} backend`;
    throw new BackendError(
      `backward: seed gradient is on ${other}, tensor on the ${root.backend.name} backend; move one with await t.to(backend)`,
    );
  }
  if (seed.backend.readSync !== undefined) {
    const values = seed.backend.readSync(seed.array);
    if (!values.every(Number.isFinite)) throw new NonFiniteSeedError('backward: the seed gradient holds NaN or ±Inf');
  }
}

/** Brings a gradient shaped like a broadcast of `input` back to `input`'s shape, or explains why it cannot. */
function fitGradient(node: GraphNode, index: number, input: Tensor, grad: Tensor): Tensor {
  const name = node.spec.inputs[index] ?? `#${index}`;
  if (grad.dtype !== input.dtype) {
    throw new GradientRuleError(
      `${node.kind}.backward: gradient of input '${name}' is ${grad.dtype}, the input is ${input.dtype}`,
    );
  }
  if (shapesEqual(grad.shape, input.shape)) return grad;
  if (broadcastsTo(input.shape, grad.shape)) return sumTo(grad, input.shape);
  throw new GradientRuleError(
    `${node.kind}.backward: gradient of input '${name}' is ${formatShape(grad.shape)}, ` +
      `which does not reduce to the input's ${formatShape(input.shape)}`,
  );
}

/** Adds `grad` into a slot of gradients, returning the new total. */
function accumulate(current: Tensor | undefined, grad: Tensor): Tensor {
  return current === undefined ? grad : AddNode.apply([current, grad]);
}

/** A tensor of `meta`'s shape and dtype on `like`'s backend, every element `value`. */
function filled(like: Tensor, meta: { readonly shape: Shape; readonly dtype: Tensor['dtype'] }, value: number): Tensor {
  return tensorLike(like, like.backend.fill(meta.shape, value, meta.dtype));
}

/** Adds `grad` to what `tensor` has gathered in this pass: a leaf's total, or its node's output slot. */
function deliver(leafGrads: Map<Tensor, Tensor>, tensor: Tensor, grad: Tensor): void {
  const origin = tensor.origin;
  if (origin === null) {
    leafGrads.set(tensor, accumulate(leafGrads.get(tensor), grad));
    return;
  }
  const node = origin.node;
  if (node.outputCount === 1) {
    node.pendingGrad = accumulate(node.pendingGrad, grad);
    return;
  }
  let slots = node.pendingGrads;
  if (slots === null) {
    slots = new Array<Tensor | undefined>(node.outputCount);
    node.pendingGrads = slots;
  }
  slots[origin.outputIndex] = accumulate(slots[origin.outputIndex], grad);
}

/** Whether `grad` is also the gradient of a leaf other than `leaf` (add's rule hands one tensor to both inputs). */
function sharedByLeaves(leafGrads: Map<Tensor, Tensor>, leaf: Tensor, grad: Tensor): boolean {
  for (const [other, g] of leafGrads) if (g === grad && other !== leaf) return true;
  return false;
}

/**
 * Calls the node's gradient rule with the gradients gathered for its outputs (zeros for an output
 * no path used), or returns null when no gradient reached the node.
 */
function callRule(node: GraphNode): readonly (Tensor | null)[] | null {
  // NOTE: the node itself is the rule's context (its inputs, saved outputs, attrs and needsGrad):
  // no object per call. Its inputs are checked (not freed) first.
  const ctx = node as unknown as BackwardContext<unknown>;
  if (node.outputCount === 1) {
    const grad = node.pendingGrad;
    if (grad === undefined) return null;
    node.pendingGrad = undefined;
    inputsOf(node);
    return asRuleOf(node, () => node.spec.backward(ctx, grad));
  }
  const slots = node.pendingGrads;
  if (slots === null) return null;
  node.pendingGrads = null;
  const inputs = inputsOf(node);
  const gradOutputs = node.outputMeta.map((meta, i) => slots[i] ?? filled(inputs[0], meta, 0));
  return asRuleOf(node, () => node.spec.backward(ctx, ...gradOutputs));
}

/**
 * Reverse-mode differentiation from `root` (see `Tensor.backward`). Without `createGraph`, every
 * gradient of an intermediate tensor is freed when the walk ends; leaves keep theirs in `.grad`.
 */
export function backward(root: Tensor, seed: Tensor | null, options: BackwardOptions): void {
  checkSeed(root, seed);
  if (!root.requiresGrad) {
    throw new SeedGradientError(
      `backward: tensor ${formatShape(root.shape)} does not require a gradient (no input had requiresGrad, or it was computed under noGrad)`,
    );
  }
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const order = root.origin === null ? [] : reverseTopologicalOrder(root.origin.node);

  // NOTE: arrows passed straight as arguments, not named closures: tsx/esbuild's keepNames wraps
  // every named closure in a defineProperty call, which cost a measurable share of a small step.
  const observer = tapeObserver();
  const owned =
    observer?.backward === undefined
      ? pass(root, seed, order, retainGraph, createGraph)
      : observer.backward(root, seed, () => pass(root, seed, order, retainGraph, createGraph));
  for (const grad of owned) untrack(grad);
}

/** One backward pass, recorded under `createGraph`, else inside a tidy that frees the intermediate gradients. */
function pass(
  root: Tensor,
  seed: Tensor | null,
  order: readonly GraphNode[],
  retainGraph: boolean,
  createGraph: boolean,
): Tensor[] {
  return withGradMode(createGraph, () =>
    createGraph
      ? walk(root, seed, order, retainGraph, createGraph)
      : tidy(() => walk(root, seed, order, retainGraph, createGraph)),
  );
}

/** Walks `order` from `root`'s gradient, leaving each leaf's in `.grad`; returns those gradients. */
function walk(
  root: Tensor,
  seed: Tensor | null,
  order: readonly GraphNode[],
  retainGraph: boolean,
  createGraph: boolean,
): Tensor[] {
  const leafGrads = new Map<Tensor, Tensor>();
  const observer = tapeObserver();
  /** The nodes whose rules ran: freed once the pass succeeded (unless retainGraph). */
  const ran: GraphNode[] = [];
  try {
    deliver(leafGrads, root, seed ?? filled(root, root, 1));
    for (let k = 0; k < order.length; k++) {
      const node = order[k];
      const grads = callRule(node);
      if (grads === null) continue;
      ran.push(node);
      const inputs = node.inputs!;
      for (let i = 0; i < inputs.length; i++) {
        const grad = grads[i];
        const input = inputs[i];
        if (grad === null || grad === undefined || !node.isDifferentiable(i, input)) continue;
        const fitted = fitGradient(node, i, input, grad);
        observer?.gradient?.(node, i, fitted);
        deliver(leafGrads, input, fitted);
      }
    }
  } catch (error) {
    // A failed pass leaves no gathered gradients behind on the nodes it did not reach.
    for (const node of order) {
      node.pendingGrads = null;
      node.pendingGrad = undefined;
    }
    throw error;
  }
  // Each leaf gets a handle of its own, so disposing the walk's temporaries (or the caller's seed)
  // cannot touch it. A gradient this pass created for this leaf alone already is one: only a
  // gradient from outside the pass, or one shared by several leaves, is aliased. Every new total is
  // computed before any leaf's `.grad` changes: a pass that fails changes no gradient.
  const totals: Tensor[] = [];
  for (const [leaf, grad] of leafGrads) {
    const own =
      !createGraph && ownedByInnermostScope(grad) && !sharedByLeaves(leafGrads, leaf, grad)
        ? grad
        : AliasNode.apply([grad]);
    totals.push(leaf.grad === null ? own : AddNode.apply([leaf.grad, own]));
  }
  let k = 0;
  for (const leaf of leafGrads.keys()) {
    const previous = leaf.grad;
    leaf.grad = totals[k++];
    if (previous !== null && !createGraph) previous.dispose();
  }
  // NOTE: the graph is freed only once the whole pass succeeded, so a refused pass (a tensor changed
  // in place, a rule that failed) leaves it whole, to be run again once the cause is fixed.
  if (!retainGraph) for (const node of ran) node.free();
  return totals;
}
