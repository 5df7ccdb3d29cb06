import type { EncodedTensor } from '../protocol.ts';

const CHUNK = 0x8000;

/** Base64 of a typed array's bytes; chunked because String.fromCharCode takes a bounded argument list. */
export function base64OfBytes(view: ArrayBufferView): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

export function encodeTensor(type: string, dims: number[], data: ArrayBufferView | readonly string[]): EncodedTensor {
  if (Array.isArray(data)) return { type: 'string', dims, strings: [...(data as string[])] };
  return { type, dims, base64: base64OfBytes(data as ArrayBufferView) };
}
