import { describe, expect, it } from 'vitest';
import { decodeInputSets, encodeInputSets, type PackedSet } from '../src/input-pack.ts';

const sets: PackedSet[] = [
  {
    label: 7,
    tensors: {
      image: { elementType: 'float32', dims: [1, 3], data: new Float32Array([0.5, -1.25, 3e-8]) },
      ids: { elementType: 'int64', dims: [2], data: new BigInt64Array([9n, -(2n ** 40n)]) },
      mask: { elementType: 'bool', dims: [3], data: new Uint8Array([1, 0, 1]) },
      half: { elementType: 'float16', dims: [1], data: new Uint16Array([0x3c00]) },
      words: { elementType: 'string', dims: [2], data: ['ab', 'ünï'] },
    },
  },
  { tensors: { image: { elementType: 'float32', dims: [1, 1], data: new Float32Array([42]) } } },
];

describe('input pack', () => {
  it('round-trips every element type, dims and labels, with numeric data aligned for its type', () => {
    const bytes = encodeInputSets(sets);
    const back = decodeInputSets(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(back).toEqual(sets);
    const ids = back[0]?.tensors.ids?.data as BigInt64Array;
    expect(ids).toBeInstanceOf(BigInt64Array);
    expect(ids.byteOffset % 8).toBe(0);
    expect(back[1]?.label).toBeUndefined();
  });

  it('encodes a view of a larger buffer without the bytes around it', () => {
    const big = new Float32Array([1, 2, 3, 4]);
    const bytes = encodeInputSets([{ tensors: { x: { elementType: 'float32', dims: [2], data: big.subarray(1, 3) } } }]);
    const back = decodeInputSets(bytes.slice().buffer);
    expect(Array.from(back[0]?.tensors.x?.data as Float32Array)).toEqual([2, 3]);
  });

  it('rejects bytes that are not an input pack', () => {
    expect(() => decodeInputSets(new TextEncoder().encode('{"sets":[]}').buffer as ArrayBuffer)).toThrow(/bad magic/);
  });
});
