/**
 * The binary file that carries a job's input sets from the agent to the page, so the browser runs on
 * exactly the bytes the host driver would generate (no input generation inside the page).
 *
 *   "EPI1" | u32 LE header length | header JSON (UTF-8) | zero padding to 8 | data blocks (each 8-aligned)
 *
 * The header lists every set and tensor with its offset into the data region; string tensors live in
 * the header. Values are little-endian, as on every platform onnxruntime-web runs on. Used by Node
 * (encode) and the page (decode): no Node-only APIs here.
 */

import type { TensorData } from '@edgeproof/contracts';

const MAGIC = 'EPI1';
const ALIGN = 8;

/** the tensor values of one input (the same types onnxruntime takes) */
export type PackedData = TensorData;

export interface PackedTensor {
  elementType: string;
  dims: number[];
  data: PackedData;
}

export interface PackedSet {
  tensors: Record<string, PackedTensor>;
  label?: number;
}

interface HeaderTensor {
  name: string;
  elementType: string;
  dims: number[];
  offset?: number;
  byteLength?: number;
  strings?: string[];
}

interface Header {
  sets: { label?: number; tensors: HeaderTensor[] }[];
}

/** The typed array each element type is carried in (as onnxruntime's Tensor constructors take it). */
const ARRAY_OF: Record<string, new (buffer: ArrayBuffer, offset: number, length: number) => Exclude<PackedData, string[]>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
};

const aligned = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export function encodeInputSets(sets: PackedSet[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  let dataLength = 0;
  const header: Header = {
    sets: sets.map((set) => ({
      ...(set.label !== undefined ? { label: set.label } : {}),
      tensors: Object.entries(set.tensors).map(([name, t]): HeaderTensor => {
        if (Array.isArray(t.data)) return { name, elementType: t.elementType, dims: t.dims, strings: t.data };
        const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
        const offset = dataLength;
        blocks.push(bytes);
        dataLength = aligned(dataLength + bytes.byteLength);
        return { name, elementType: t.elementType, dims: t.dims, offset, byteLength: bytes.byteLength };
      }),
    })),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = aligned(8 + headerBytes.byteLength);
  const out = new Uint8Array(dataStart + dataLength);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, headerBytes.byteLength, true);
  out.set(headerBytes, 8);
  let at = dataStart;
  for (const block of blocks) {
    out.set(block, at);
    at = aligned(at + block.byteLength);
  }
  return out;
}

/** Decodes without copying: every numeric tensor is a view on `buffer`. */
export function decodeInputSets(buffer: ArrayBuffer): PackedSet[] {
  if (buffer.byteLength < 8 || new TextDecoder().decode(new Uint8Array(buffer, 0, 4)) !== MAGIC) {
    throw new Error('not an edgeproof input pack (bad magic)');
  }
  const headerLength = new DataView(buffer).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength))) as Header;
  const dataStart = aligned(8 + headerLength);
  return header.sets.map((set) => {
    const tensors: Record<string, PackedTensor> = {};
    for (const t of set.tensors) {
      if (t.strings !== undefined) {
        tensors[t.name] = { elementType: t.elementType, dims: t.dims, data: t.strings };
        continue;
      }
      const ArrayType = ARRAY_OF[t.elementType];
      if (ArrayType === undefined) throw new Error(`input pack: unsupported element type ${t.elementType} for "${t.name}"`);
      const byteLength = t.byteLength ?? 0;
      const length = byteLength / (ArrayType as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      tensors[t.name] = { elementType: t.elementType, dims: t.dims, data: new ArrayType(buffer, dataStart + (t.offset ?? 0), length) };
    }
    return set.label !== undefined ? { tensors, label: set.label } : { tensors };
  });
}
