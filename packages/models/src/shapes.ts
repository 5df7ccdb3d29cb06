import type { TensorInfo } from '@edgeproof/contracts';
import { formatShape } from './tensor.ts';

/** A dimension of a model input has no value: the model leaves it open and the settings do not fill it. */
export class MissingDimensionError extends Error {
  override name = 'MissingDimensionError';
  readonly input: string;
  /** 0-based position of the open dimension; null when the model declares no shape at all */
  readonly dimIndex: number | null;
  readonly symbol: string | null;

  constructor(input: string, dimIndex: number | null, symbol: string | null, declared: TensorInfo['shape']) {
    super(missingDimensionMessage(input, dimIndex, symbol, declared));
    this.input = input;
    this.dimIndex = dimIndex;
    this.symbol = symbol;
  }
}

function missingDimensionMessage(
  input: string,
  dimIndex: number | null,
  symbol: string | null,
  declared: TensorInfo['shape'],
): string {
  const fullShape = `settings.inputShapes.${input} (the full shape)`;
  if (dimIndex === null) return `input "${input}" declares no shape; set ${fullShape}`;
  const where = `input "${input}" dim ${dimIndex} of shape ${formatShape(declared)}`;
  if (symbol !== null) {
    return `${where} is the symbolic dimension "${symbol}" with no value; set settings.dims.${symbol} or ${fullShape}`;
  }
  return `${where} is unnamed (neither a size nor a symbol in the model); set ${fullShape}`;
}

/** A shape given in the settings contradicts the model, or a tensor cannot be built with the shape given. */
export class InvalidShapeError extends Error {
  override name = 'InvalidShapeError';
  readonly input: string;

  constructor(input: string, message: string) {
    super(message);
    this.input = input;
  }
}

export interface ShapeOptions {
  /** values for symbolic dimensions by name */
  dims: Record<string, number>;
  /** full shapes by input name; win over `dims` */
  inputShapes: Record<string, number[]>;
}

/** Concrete shape of every input, from the model's declared shapes and the benchmark settings. */
export function resolveInputShapes(inputs: TensorInfo[], opts: ShapeOptions): Record<string, number[]> {
  const known = new Set(inputs.map((i) => i.name));
  for (const name of Object.keys(opts.inputShapes)) {
    if (!known.has(name)) {
      const names = [...known].map((n) => `"${n}"`).join(', ');
      throw new InvalidShapeError(name, `settings.inputShapes.${name} names no model input (inputs: ${names})`);
    }
  }
  const shapes: Record<string, number[]> = {};
  for (const input of inputs) {
    const given = opts.inputShapes[input.name];
    shapes[input.name] = given === undefined ? fromDeclared(input, opts.dims) : checkGiven(input, given);
  }
  return shapes;
}

function checkGiven(input: TensorInfo, given: number[]): number[] {
  const label = `settings.inputShapes.${input.name} ${formatShape(given)}`;
  for (const d of given) {
    if (!Number.isInteger(d) || d < 0) throw new InvalidShapeError(input.name, `${label} has ${d}, not a size`);
  }
  const declared = input.shape;
  if (declared === null) return [...given];
  if (declared.length !== given.length) {
    throw new InvalidShapeError(
      input.name,
      `${label} has rank ${given.length} but the model declares rank ${declared.length} ${formatShape(declared)}`,
    );
  }
  declared.forEach((d, i) => {
    if (typeof d === 'number' && d !== given[i]) {
      throw new InvalidShapeError(
        input.name,
        `${label} has ${given[i]} at dim ${i} but the model fixes it to ${d} ${formatShape(declared)}`,
      );
    }
  });
  return [...given];
}

function fromDeclared(input: TensorInfo, dims: Record<string, number>): number[] {
  const declared = input.shape;
  if (declared === null) throw new MissingDimensionError(input.name, null, null, declared);
  return declared.map((d, i) => {
    if (typeof d === 'number') return d;
    const value = d === null ? undefined : dims[d];
    if (value === undefined) throw new MissingDimensionError(input.name, i, d, declared);
    return value;
  });
}
