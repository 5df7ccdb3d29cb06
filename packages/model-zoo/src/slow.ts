import type onnxProto from 'onnx-proto';
import { DataType, decodeModel, floatTensor, int64Tensor, node, onnx, type NodeSpec } from './onnx-build.ts';
import { createRng } from '@edgeproof/metrics';

/**
 * Deliberately slower variant of a model with identical outputs.
 *
 * A side branch that depends on the first (float) graph input is added:
 *   Flatten -> ReduceSum(axis 1) -> MatMul [1,W] -> Tanh -> extraWork x (MatMul [W,W] -> Tanh)
 *   -> ReduceSum (all) -> Mul 0
 * and its (exactly zero) result is added to the first graph output. Because the branch depends on
 * the runtime input it cannot be constant-folded, and because its result feeds the output it cannot
 * be pruned. Tanh keeps every value finite, so the added term is exactly +-0 and the outputs are
 * unchanged for finite inputs. Each extra layer costs W*W multiply-adds per batch row
 * (W = 256: 65,536, about 1.3x the default 784-64-10 MLP).
 */

export interface SlowDownOptions {
  /** width W of the square side-branch matrices (default 256) */
  width?: number;
}

export const SLOW_BRANCH_PREFIX = 'edgeproof_slow__';

type NodeRef = onnxProto.onnx.INodeProto & { input: string[]; output: string[] };

export function slowDownModel(bytes: Uint8Array, extraWork: number, opts: SlowDownOptions = {}): Uint8Array {
  if (!Number.isInteger(extraWork) || extraWork < 1 || extraWork > 10_000) {
    throw new RangeError(`extraWork must be an integer in 1..10000, got ${extraWork}`);
  }
  const width = opts.width ?? 256;
  if (!Number.isInteger(width) || width < 1 || width > 4096) throw new RangeError(`width must be an integer in 1..4096, got ${width}`);

  const model = decodeModel(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  // decoded messages carry empty arrays / strings for absent fields; normalise for strict typing
  const nodesOf = (): NodeRef[] => (graph.node ?? []) as NodeRef[];
  const nameOf = (x: { name?: string | null }): string => x.name ?? '';
  graph.node ??= [];
  for (const n of graph.node) {
    n.input ??= [];
    n.output ??= [];
  }
  graph.initializer ??= [];
  const initNames = new Set(graph.initializer.map(nameOf));
  const graphInputs = graph.input ?? [];
  const graphOutputs = graph.output ?? [];
  const input = graphInputs.find((i) => !initNames.has(nameOf(i)));
  const output = graphOutputs[0];
  if (!input || !output) throw new Error('model needs at least one graph input and one graph output');
  const inputName = nameOf(input);
  const outputName = nameOf(output);
  for (const [what, vi] of [
    ['input', input],
    ['output', output],
  ] as const) {
    const elemType = vi.type?.tensorType?.elemType;
    if (elemType !== DataType.FLOAT) throw new Error(`first graph ${what} "${nameOf(vi)}" must be a float32 tensor`);
  }
  if (input.type?.tensorType?.shape?.dim?.length === 0) throw new Error(`first graph input "${inputName}" is a scalar`);
  if (!nodesOf().some((n) => n.output.includes(outputName))) throw new Error(`graph output "${outputName}" is not produced by a node`);
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  const opsetVersion = opset === undefined || opset === null ? 1 : Number(opset);
  if (opsetVersion < 6) throw new Error(`opset ${opsetVersion} is too old (need >= 6)`);

  const used = new Set<string>();
  for (const n of nodesOf()) for (const name of [...n.input, ...n.output, n.name ?? '']) used.add(name);
  for (const name of [...initNames, ...graphInputs.map(nameOf), ...graphOutputs.map(nameOf)]) used.add(name);
  const p = (s: string): string => {
    const name = `${SLOW_BRANCH_PREFIX}${s}`;
    if (used.has(name)) throw new Error(`model already contains "${name}" (already slowed down?)`);
    return name;
  };

  // the original output value is renamed; the graph output becomes original + 0
  const pre = p(`pre_${outputName}`);
  for (const n of nodesOf()) {
    n.input = n.input.map((name) => (name === outputName ? pre : name));
    n.output = n.output.map((name) => (name === outputName ? pre : name));
  }

  const rng = createRng(0x510);
  const uniform = (n: number, scale: number): Float32Array => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * scale;
    return a;
  };
  const reduceSum = (name: string, inp: string, out: string, axes: number[] | null, keepdims: number): NodeSpec[] => {
    if (axes === null) return [{ op: 'ReduceSum', name, inputs: [inp], outputs: [out], attrs: { keepdims } }];
    if (opsetVersion < 13) return [{ op: 'ReduceSum', name, inputs: [inp], outputs: [out], attrs: { axes, keepdims } }];
    return [{ op: 'ReduceSum', name, inputs: [inp, p('axes1')], outputs: [out], attrs: { keepdims } }];
  };

  const nodes: NodeSpec[] = [
    { op: 'Flatten', name: p('flatten'), inputs: [inputName], outputs: [p('flat')], attrs: { axis: 1 } },
    ...reduceSum(p('row_sum'), p('flat'), p('row'), [1], 1),
    { op: 'MatMul', name: p('expand'), inputs: [p('row'), p('u')], outputs: [p('mm0')] },
    { op: 'Tanh', name: p('tanh0'), inputs: [p('mm0')], outputs: [p('t0')] },
  ];
  for (let i = 1; i <= extraWork; i++) {
    nodes.push(
      { op: 'MatMul', name: p(`matmul${i}`), inputs: [p(`t${i - 1}`), p('w')], outputs: [p(`mm${i}`)] },
      { op: 'Tanh', name: p(`tanh${i}`), inputs: [p(`mm${i}`)], outputs: [p(`t${i}`)] },
    );
  }
  nodes.push(
    ...reduceSum(p('total_sum'), p(`t${extraWork}`), p('total'), null, 0),
    { op: 'Mul', name: p('times_zero'), inputs: [p('total'), p('zero')], outputs: [p('zeroed')] },
    { op: 'Add', name: p('add_zero'), inputs: [pre, p('zeroed')], outputs: [outputName] },
  );
  graph.node.push(...nodes.map(node));

  const initializers = [
    floatTensor(p('u'), [1, width], uniform(width, 1)),
    floatTensor(p('w'), [width, width], uniform(width * width, 1 / Math.sqrt(width))),
    floatTensor(p('zero'), [], [0]),
  ];
  if (opsetVersion >= 13) initializers.push(int64Tensor(p('axes1'), [1], [1n]));
  graph.initializer.push(...initializers);

  model.metadataProps = [...(model.metadataProps ?? []), { key: 'edgeproof.slowDown.extraWork', value: String(extraWork) }];
  model.docString = `${model.docString ? `${model.docString}\n` : ''}Slowed down by @edgeproof/model-zoo: ${extraWork} extra ${width}x${width} MatMul layers on an output-neutral side branch.`;
  return onnx.ModelProto.encode(model).finish();
}
