import type { ElementType, TensorInfo } from '@edgeproof/contracts';
import { getFloat16 } from '@petamoriken/float16';
import { describe, expect, it } from 'vitest';
import {
  generateInputs,
  InvalidShapeError,
  MissingDimensionError,
  resolveInputShapes,
  UnsupportedElementTypeError,
} from '../src/index.ts';

const noSettings = { dims: {}, inputShapes: {} };

describe('resolveInputShapes', () => {
  it('keeps fixed dims and fills symbolic dims from settings.dims', () => {
    const inputs: TensorInfo[] = [
      { name: 'image', elementType: 'float32', shape: ['batch', 3, 'H', 'W'] },
      { name: 'ids', elementType: 'int64', shape: [4] },
    ];
    const shapes = resolveInputShapes(inputs, { dims: { batch: 1, H: 32, W: 48 }, inputShapes: {} });
    expect(shapes).toEqual({ image: [1, 3, 32, 48], ids: [4] });
  });

  it('lets settings.inputShapes win over dims and fill unnamed dims and missing shapes', () => {
    const inputs: TensorInfo[] = [
      { name: 'x', elementType: 'float32', shape: [null, 3, 'H'] },
      { name: 'y', elementType: 'float32', shape: null },
    ];
    const shapes = resolveInputShapes(inputs, { dims: { H: 99 }, inputShapes: { x: [2, 3, 7], y: [5, 5] } });
    expect(shapes).toEqual({ x: [2, 3, 7], y: [5, 5] });
  });

  it('names the input, position and symbol of a missing symbolic dim', () => {
    const inputs: TensorInfo[] = [{ name: 'image', elementType: 'float32', shape: ['batch', 3, 'H', 'W'] }];
    const err = catchError(() => resolveInputShapes(inputs, { dims: { batch: 1, W: 8 }, inputShapes: {} }));
    expect(err).toBeInstanceOf(MissingDimensionError);
    const missing = err as MissingDimensionError;
    expect([missing.input, missing.dimIndex, missing.symbol]).toEqual(['image', 2, 'H']);
    expect(missing.message).toBe(
      'input "image" dim 2 of shape ["batch",3,"H","W"] is the symbolic dimension "H" with no value; ' +
        'set settings.dims.H or settings.inputShapes.image (the full shape)',
    );
  });

  it('explains that an unnamed dim needs a full shape', () => {
    const inputs: TensorInfo[] = [{ name: 'x', elementType: 'float32', shape: [1, null] }];
    const err = catchError(() => resolveInputShapes(inputs, noSettings)) as MissingDimensionError;
    expect(err).toBeInstanceOf(MissingDimensionError);
    expect([err.input, err.dimIndex, err.symbol]).toEqual(['x', 1, null]);
    expect(err.message).toContain('input "x" dim 1 of shape [1,null] is unnamed');
    expect(err.message).toContain('settings.inputShapes.x');
  });

  it('rejects an input with no declared shape unless inputShapes gives one', () => {
    const inputs: TensorInfo[] = [{ name: 'x', elementType: 'float32', shape: null }];
    const err = catchError(() => resolveInputShapes(inputs, noSettings)) as MissingDimensionError;
    expect(err).toBeInstanceOf(MissingDimensionError);
    expect(err.dimIndex).toBeNull();
    expect(err.message).toBe('input "x" declares no shape; set settings.inputShapes.x (the full shape)');
  });

  it('rejects inputShapes of the wrong rank, contradicting fixed dims, or naming no input', () => {
    const inputs: TensorInfo[] = [{ name: 'x', elementType: 'float32', shape: ['N', 3] }];
    expect(() => resolveInputShapes(inputs, { dims: {}, inputShapes: { x: [1, 3, 1] } })).toThrow(
      new InvalidShapeError('x', 'settings.inputShapes.x [1,3,1] has rank 3 but the model declares rank 2 ["N",3]'),
    );
    expect(() => resolveInputShapes(inputs, { dims: {}, inputShapes: { x: [1, 4] } })).toThrow(
      'settings.inputShapes.x [1,4] has 4 at dim 1 but the model fixes it to 3 ["N",3]',
    );
    expect(() => resolveInputShapes(inputs, { dims: {}, inputShapes: { x: [1.5, 3] } })).toThrow(InvalidShapeError);
    expect(() => resolveInputShapes(inputs, { dims: {}, inputShapes: { z: [1] } })).toThrow(
      'settings.inputShapes.z names no model input (inputs: "x")',
    );
  });
});

type Ctor = new (n: number) => unknown;
const expectedArray: Record<Exclude<ElementType, 'unknown' | 'bfloat16'>, Ctor> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
  string: Array,
};
const supported = Object.keys(expectedArray) as (keyof typeof expectedArray)[];

describe('generateInputs', () => {
  const dims = [2, 3, 50];
  const inputs: TensorInfo[] = supported.map((t) => ({ name: `in_${t}`, elementType: t, shape: ['N', 3, 50] }));
  const shapes = Object.fromEntries(inputs.map((i) => [i.name, dims]));

  it.each(supported)('%s: array type, length, dims and value range', (type) => {
    const t = generateInputs(inputs, shapes, 42)[`in_${type}`]!;
    expect(t.elementType).toBe(type);
    expect(t.dims).toEqual(dims);
    expect(t.data).toBeInstanceOf(expectedArray[type]);
    expect(t.data.length).toBe(300);
    const values = valuesOf(type, t.data);
    if (type === 'string') {
      for (const s of t.data as string[]) expect(s).toMatch(/^[a-z]{1,8}$/);
      return;
    }
    const [lo, hi] = type.startsWith('float') ? [0, 1] : type === 'bool' ? [0, 1] : [0, 9];
    for (const v of values as number[]) {
      expect(v).toBeGreaterThanOrEqual(lo);
      if (type.startsWith('float')) expect(v).toBeLessThan(hi);
      else {
        expect(v).toBeLessThanOrEqual(hi);
        expect(Number.isInteger(v)).toBe(true);
      }
    }
    expect(new Set(values).size).toBeGreaterThan(1);
    if (!type.startsWith('float')) expect(new Set(values).size).toBe(hi - lo + 1);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateInputs(inputs, shapes, 7);
    const b = generateInputs(inputs, shapes, 7);
    const c = generateInputs(inputs, shapes, 8);
    for (const t of supported) {
      expect(a[`in_${t}`]).toEqual(b[`in_${t}`]);
      expect(a[`in_${t}`]!.data).not.toEqual(c[`in_${t}`]!.data);
    }
  });

  it('pins the values of seed 42 so every platform can check it produces the same bytes', () => {
    const x: TensorInfo[] = [{ name: 'x', elementType: 'float32', shape: [3] }];
    const ids: TensorInfo[] = [{ name: 'ids', elementType: 'int64', shape: [4] }];
    expect(generateInputs(x, { x: [3] }, 42).x!.data).toEqual(
      new Float32Array([0.5620357990264893, 0.36691564321517944, 0.9374918937683105]),
    );
    expect(generateInputs(ids, { ids: [4] }, 42).ids!.data).toEqual(new BigInt64Array([6n, 7n, 1n, 0n]));
  });

  it('gives each input its own stream: adding an input does not change the others', () => {
    const one: TensorInfo[] = [{ name: 'a', elementType: 'float32', shape: [10] }];
    const two: TensorInfo[] = [{ name: 'z', elementType: 'float32', shape: [10] }, ...one];
    const alone = generateInputs(one, { a: [10] }, 3);
    const together = generateInputs(two, { a: [10], z: [10] }, 3);
    expect(together.a).toEqual(alone.a);
    expect(together.z!.data).not.toEqual(together.a!.data);
  });

  it('handles zero-size and scalar shapes', () => {
    const x: TensorInfo[] = [{ name: 'x', elementType: 'float32', shape: null }];
    expect(generateInputs(x, { x: [0, 4] }, 1).x!.data.length).toBe(0);
    expect(generateInputs(x, { x: [] }, 1).x!.data.length).toBe(1);
  });

  it.each(['bfloat16', 'unknown'] as const)('refuses %s inputs, naming the input', (type) => {
    const x: TensorInfo[] = [{ name: 'weird', elementType: type, shape: [2] }];
    expect(() => generateInputs(x, { weird: [2] }, 1)).toThrow(UnsupportedElementTypeError);
    expect(() => generateInputs(x, { weird: [2] }, 1)).toThrow(`input "weird" has element type ${type}`);
  });

  it('refuses an input without a resolved shape', () => {
    const x: TensorInfo[] = [{ name: 'x', elementType: 'float32', shape: [2] }];
    expect(() => generateInputs(x, {}, 1)).toThrow('no shape given for input "x"');
  });
});

function valuesOf(type: ElementType, data: unknown): (number | string)[] {
  if (type === 'float16') {
    const bits = data as Uint16Array;
    const view = new DataView(bits.buffer, bits.byteOffset, bits.byteLength);
    const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    return Array.from({ length: bits.length }, (_, i) => getFloat16(view, i * 2, little));
  }
  return Array.from(data as ArrayLike<number | bigint | string>, (v) => (typeof v === 'bigint' ? Number(v) : v));
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
