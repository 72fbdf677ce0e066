import { formatShape, GraphFreedError, type GraphNode, type Tensor } from '@graphgrad/core';

/** Options of `toDot`. */
export interface DotOptions {
  /**
   * Names to print on tensors: parameters, inputs, the output. Either an object (`{ W1, b1, x, loss }`,
   * the way a model's fields are named) or a map from tensor to name.
   */
  readonly names?: Readonly<Record<string, Tensor>> | ReadonlyMap<Tensor, string>;
  /** A title printed above the picture. */
  readonly title?: string;
  /** Direction of the data flow: left to right like the book's figures (default), or top to bottom. */
  readonly direction?: 'LR' | 'TB';
  /** Print each node's attributes (axes, transposes, …) under its kind (default true). */
  readonly showAttrs?: boolean;
  /** Print dtypes beside shapes (default true). */
  readonly showDTypes?: boolean;
}

/** What the walk of the recorded graph found: nodes, leaves and the tensors that connect them. */
interface RecordedGraph {
  /** Recorded nodes, in the order they ran (GraphNode ids grow with time). */
  readonly nodes: readonly GraphNode[];
  /** Tensors without a recorded node (created, detached, or computed under noGrad). */
  readonly leaves: readonly Tensor[];
  /** One edge per input of every node: the tensor that flows and the node that consumes it. */
  readonly edges: readonly { readonly tensor: Tensor; readonly consumer: GraphNode; readonly index: number }[];
}

function walk(roots: readonly Tensor[]): RecordedGraph {
  const nodes = new Set<GraphNode>();
  const leaves = new Set<Tensor>();
  const edges: { tensor: Tensor; consumer: GraphNode; index: number }[] = [];
  // An explicit stack rather than recursion: a long chain of nodes must not overflow the call stack.
  const stack: GraphNode[] = [];
  const visit = (t: Tensor): void => {
    if (t.origin === null) leaves.add(t);
    else if (!nodes.has(t.origin.node)) {
      nodes.add(t.origin.node);
      stack.push(t.origin.node);
    }
  };
  roots.forEach(visit);
  while (stack.length > 0) {
    const node = stack.pop()!;
    const inputs = node.inputs;
    if (inputs === null) {
      throw new GraphFreedError(
        `toDot: the graph through ${node.kind} (node #${node.id}) was freed by backward(); ` +
          'draw it before backward(), or pass { retainGraph: true } to backward()',
      );
    }
    inputs.forEach((tensor, index) => {
      edges.push({ tensor, consumer: node, index });
      visit(tensor);
    });
  }
  return {
    nodes: [...nodes].sort((a, b) => a.id - b.id),
    // Data before parameters, so that Graphviz puts the data on the main line and lets the
    // parameters join it from below, as the book draws them.
    leaves: [...leaves].sort((a, b) => Number(a.requiresGrad) - Number(b.requiresGrad) || a.id - b.id),
    edges: edges.sort((a, b) => a.consumer.id - b.consumer.id || a.index - b.index),
  };
}

/** A DOT quoted string: backslashes and quotes escaped, line breaks as DOT's centred `\n`. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function attributes(attrs: Readonly<Record<string, string | number>>): string {
  return `[${Object.entries(attrs)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : quote(v)}`)
    .join(', ')}]`;
}

/** A node's attributes in one short line: `axes=[0], keepDims`; false and empty ones are left out. */
function formatAttrs(attrs: unknown): string {
  if (attrs === null || typeof attrs !== 'object') return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (value === true) parts.push(key);
    else if (Array.isArray(value)) parts.push(`${key}=[${value.join(',')}]`);
    else if (typeof value === 'number' || typeof value === 'string') parts.push(`${key}=${value}`);
  }
  return parts.join(', ');
}

function nameLookup(names: DotOptions['names']): (t: Tensor) => string | undefined {
  if (names === undefined) return () => undefined;
  if (names instanceof Map) return (t) => (names as ReadonlyMap<Tensor, string>).get(t);
  const byTensor = new Map<Tensor, string>();
  for (const [name, t] of Object.entries(names as Readonly<Record<string, Tensor>>)) byTensor.set(t, name);
  return (t) => byTensor.get(t);
}

/** The value of a one-element constant (a number operand such as the 1 in `sub(1, y)`), when it can be read now. */
function constantValue(t: Tensor): string | undefined {
  if (t.size !== 1 || t.requiresGrad || t.isDisposed || t.backend.readSync === undefined) return undefined;
  const value = t.backend.readSync(t.array)[0];
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/**
 * Edges between operations pull harder than edges from leaves, so the chain of operations runs
 * straight through the picture and parameters join it from the side, as in the book's figures.
 */
const SPINE_WEIGHT = 8;

const STYLE = {
  graph: { fontname: 'Helvetica', fontsize: 12, nodesep: 0.35, ranksep: 0.45, bgcolor: 'white', labelloc: 't' },
  node: { fontname: 'Helvetica', fontsize: 11 },
  edge: { fontname: 'Helvetica', fontsize: 9, color: '#444444', fontcolor: '#444444', arrowsize: 0.7 },
  op: { shape: 'ellipse', style: 'filled', fillcolor: '#e3ecfa', color: '#3c5a99', penwidth: 1.2 },
  parameter: {
    shape: 'box',
    style: 'rounded,filled',
    margin: '0.12,0.05',
    fillcolor: '#fde3c4',
    color: '#b8651b',
    penwidth: 1.2,
  },
  constant: { shape: 'box', style: 'rounded', margin: '0.12,0.05', color: '#888888', fontcolor: '#444444' },
  output: { shape: 'box', style: 'rounded,filled,bold', fillcolor: '#dcefd5', color: '#3d7a2f', peripheries: 2 },
  noGradient: { style: 'dashed', color: '#999999' },
} as const;

/**
 * The recorded computational graph that produced `root` (one tensor or several) as Graphviz DOT:
 * operations as ellipses labelled with their node kind (and attributes), tensors flowing along the
 * edges labelled with shape and dtype, parameters (leaves that require a gradient) as filled boxes,
 * constants as plain boxes, the output as a double box. Edges into inputs that receive no gradient
 * (labels, indices) are dashed. Draw before `backward()`, which frees the graph (or pass it
 * `{ retainGraph: true }`).
 *
 * @example
 * const loss = softmaxWithLoss(model.forward(x), t);
 * const dot = toDot(loss, { names: { x, t, W1, b1, W2, b2, loss } });
 * const svg = await renderSvg(dot);
 */
export function toDot(root: Tensor | readonly Tensor[], options: DotOptions = {}): string {
  const roots: readonly Tensor[] = Array.isArray(root) ? root : [root as Tensor];
  const { direction = 'LR', showAttrs = true, showDTypes = true } = options;
  const nameOf = nameLookup(options.names);
  const describe = (t: Tensor): string => (showDTypes ? `${formatShape(t.shape)} ${t.dtype}` : formatShape(t.shape));
  const graph = walk(roots);

  const ids = new Map<GraphNode | Tensor, string>();
  graph.leaves.forEach((t, i) => ids.set(t, `leaf${i}`));
  graph.nodes.forEach((n, i) => ids.set(n, `op${i}`));

  const lines: string[] = ['digraph graphgrad {'];
  lines.push(
    `  graph ${attributes({ ...STYLE.graph, rankdir: direction, ...(options.title === undefined ? {} : { label: options.title }) })};`,
  );
  lines.push(`  node ${attributes(STYLE.node)};`);
  lines.push(`  edge ${attributes(STYLE.edge)};`);

  for (const t of graph.leaves) {
    const isOutput = roots.includes(t);
    const name = nameOf(t) ?? (t.requiresGrad ? 'parameter' : (constantValue(t) ?? 'constant'));
    const style = isOutput ? STYLE.output : t.requiresGrad ? STYLE.parameter : STYLE.constant;
    lines.push(`  ${ids.get(t)} ${attributes({ ...style, label: `${name}\n${describe(t)}` })};`);
  }
  for (const node of graph.nodes) {
    const detail = showAttrs ? formatAttrs(node.attrs) : '';
    lines.push(
      `  ${ids.get(node)} ${attributes({ ...STYLE.op, label: detail === '' ? node.kind : `${node.kind}\n${detail}` })};`,
    );
  }
  roots.forEach((t, i) => {
    if (t.origin === null) return;
    const id = `out${i}`;
    lines.push(`  ${id} ${attributes({ ...STYLE.output, label: `${nameOf(t) ?? 'output'}\n${describe(t)}` })};`);
    lines.push(`  ${ids.get(t.origin.node)} -> ${id} ${attributes({ weight: SPINE_WEIGHT })};`);
  });
  for (const { tensor, consumer, index } of graph.edges) {
    const flows = consumer.isDifferentiable(index, tensor);
    const style = flows ? {} : STYLE.noGradient;
    if (tensor.origin === null) {
      // A leaf's box already names its shape and dtype.
      lines.push(`  ${ids.get(tensor)} -> ${ids.get(consumer)}${flows ? '' : ` ${attributes(style)}`};`);
      continue;
    }
    const name = nameOf(tensor);
    const label = name === undefined ? describe(tensor) : `${name}\n${describe(tensor)}`;
    lines.push(
      `  ${ids.get(tensor.origin.node)} -> ${ids.get(consumer)} ${attributes({ label, weight: SPINE_WEIGHT, ...style })};`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
