import { readFile } from 'node:fs/promises';
import type { ModelSignature } from '@edgeproof/contracts';
import { fileTypeFromBuffer, type FileTypeResult } from 'file-type';
import { InvalidModelError } from './invalid-model.ts';
import { parseOnnxSignature } from './onnx-signature.ts';

export { InvalidModelError, type InvalidModelReason } from './invalid-model.ts';

export interface InspectedModel {
  format: 'onnx' | 'tflite';
  signature: ModelSignature;
}

/** Identify a model file as TFLite or ONNX and read its signature; throws InvalidModelError for anything else. */
export async function inspectModelFile(path: string): Promise<InspectedModel> {
  const bytes = new Uint8Array(await readFile(path));
  if (bytes.length === 0) throw new InvalidModelError('empty_file', 'model file is empty');
  if (isTflite(bytes)) return { format: 'tflite', signature: tfliteSignature() };
  try {
    return { format: 'onnx', signature: parseOnnxSignature(bytes) };
  } catch (err) {
    if (err instanceof InvalidModelError && (err.reason === 'truncated' || err.reason === 'not_a_model')) {
      const foreign = await describeForeignFile(bytes);
      if (foreign !== null) {
        throw new InvalidModelError('not_a_model', `file looks like ${foreign}, not an ONNX or TFLite model`);
      }
    }
    throw err;
  }
}

/** TFLite files are FlatBuffers with the file identifier "TFL3" at bytes 4..8. */
function isTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && new TextDecoder().decode(bytes.subarray(4, 8)) === 'TFL3';
}

function tfliteSignature(): ModelSignature {
  return { format: 'tflite', inputs: [], outputs: [], irVersion: null, opsets: [], producer: null, nodeCount: null };
}

async function describeForeignFile(bytes: Uint8Array): Promise<string | null> {
  const type = await fileTypeFromBuffer(bytes);
  if (type !== undefined) return describeType(type);
  return looksLikeText(bytes) ? 'a text file' : null;
}

function describeType({ ext, mime }: FileTypeResult): string {
  const kind = mime.split('/')[0];
  const noun = kind === 'image' ? 'image' : kind === 'audio' ? 'audio file' : kind === 'video' ? 'video' : 'file';
  const hint = ext === 'zip' ? '; PyTorch and Keras checkpoints are ZIP files and need exporting to ONNX first' : '';
  const article = /^[aeiou]/i.test(ext) ? 'an' : 'a';
  return `${article} ${ext.toUpperCase()} ${noun} (${mime})${hint}`;
}

const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

function looksLikeText(bytes: Uint8Array): boolean {
  try {
    const head = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 1024), { stream: true });
    return !CONTROL_CHARS.test(head);
  } catch {
    return false;
  }
}
