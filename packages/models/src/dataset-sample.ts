import type { DatasetHeader, DatasetSample } from '@edgeproof/contracts';
import { elementCount, formatShape, INTEGER_RANGES, type GeneratedTensor, type TensorData } from './tensor.ts';

type HeaderInput = DatasetHeader['inputs'][number];
type Value = number | boolean;

const FLOAT32_MAX = 3.4028234663852886e38;

/** What is wrong with a sample measured against its header, or null when it fits. */
export function sampleProblem(header: DatasetHeader, sample: DatasetSample): string | null {
  const declared = new Set(header.inputs.map((i) => i.name));
  for (const name of Object.keys(sample.inputs)) {
    if (!declared.has(name)) {
      return `inputs.${name} is not an input of the dataset (header inputs: ${[...declared].join(', ')})`;
    }
  }
  for (const input of header.inputs) {
    const values = Object.hasOwn(sample.inputs, input.name) ? sample.inputs[input.name] : undefined;
    if (values === undefined) return `inputs.${input.name} is missing`;
    const problem = valuesProblem(input, values);
    if (problem !== null) return problem;
  }
  const labelCount = header.labels.length;
  if (sample.label >= labelCount) {
    return `label ${sample.label} is out of range: the header has ${labelCount} labels (0..${labelCount - 1})`;
  }
  return null;
}

function valuesProblem(input: HeaderInput, values: Value[]): string | null {
  const expected = elementCount(input.shape);
  if (values.length !== expected) {
    return `inputs.${input.name} has ${values.length} values, expected ${expected} (shape ${formatShape(input.shape)})`;
  }
  for (let i = 0; i < values.length; i++) {
    const problem = valueProblem(input.elementType, values[i]!);
    if (problem !== null) return `inputs.${input.name}[${i}] is ${String(values[i])}, ${problem}`;
  }
  return null;
}

function valueProblem(type: HeaderInput['elementType'], value: Value): string | null {
  if (type === 'bool') {
    return value === true || value === false || value === 0 || value === 1 ? null : 'expected true, false, 0 or 1 (bool)';
  }
  if (typeof value === 'boolean') return `a boolean, but the input is ${type}`;
  const range = INTEGER_RANGES[type];
  if (range !== undefined) {
    if (!Number.isInteger(value)) return `expected an integer (${type})`;
    const [lo, hi] = range;
    return value < lo || value > hi ? `outside the ${type} range ${lo}..${hi}` : null;
  }
  if (type === 'float32' && Math.abs(value) > FLOAT32_MAX) return 'outside the float32 range';
  return null;
}

/** The sample's values as typed arrays; the sample must have passed `sampleProblem`. */
export function sampleTensors(header: DatasetHeader, sample: DatasetSample): Record<string, GeneratedTensor> {
  const tensors: Record<string, GeneratedTensor> = {};
  for (const input of header.inputs) {
    const values = sample.inputs[input.name] ?? [];
    const data = toData(input.elementType, values);
    tensors[input.name] = { elementType: input.elementType, dims: [...input.shape], data };
  }
  return tensors;
}

function toData(type: HeaderInput['elementType'], values: Value[]): TensorData {
  const numbers = () => values.map(Number);
  switch (type) {
    case 'float32':
      return Float32Array.from(numbers());
    case 'float64':
      return Float64Array.from(numbers());
    case 'int8':
      return Int8Array.from(numbers());
    case 'uint8':
    case 'bool':
      return Uint8Array.from(numbers());
    case 'int16':
      return Int16Array.from(numbers());
    case 'uint16':
      return Uint16Array.from(numbers());
    case 'int32':
      return Int32Array.from(numbers());
    case 'uint32':
      return Uint32Array.from(numbers());
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'uint64':
      return BigUint64Array.from(values, (v) => BigInt(v));
  }
}
