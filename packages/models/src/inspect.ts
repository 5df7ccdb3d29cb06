import { open, type FileHandle } from 'node:fs/promises';
import type { ModelSignature } from '@edgeproof/contracts';
import { fileTypeFromFile, type FileTypeResult } from 'file-type';
import { InvalidModelError } from './invalid-model.ts';
import { FLATBUFFER_PAGE_BYTES } from './flatbuffer-bytes.ts';
import { readOnnxSignature } from './onnx-signature.ts';
import { fileSource } from './protobuf-wire.ts';
import { readTfliteSignature } from './tflite-signature.ts';

export { InvalidModelError, type InvalidModelReason } from './invalid-model.ts';

export interface InspectedModel {
  format: 'onnx' | 'tflite';
  signature: ModelSignature;
}

/**
 * Identify a model file as TFLite or ONNX and read its signature; throws InvalidModelError for anything
 * else. The file is read in windows, never whole: memory stays bounded whatever its size. A file with
 * the FlatBuffer identifier "TFL3" at bytes 4..8 is read as TFLite and nothing else.
 */
export async function inspectModelFile(path: string): Promise<InspectedModel> {
  const file = await open(path, 'r');
  try {
    const head = await readHead(file, 1024);
    if (head.length === 0) throw new InvalidModelError('empty_file', 'model file is empty');
    if (isTflite(head)) return { format: 'tflite', signature: readTfliteSignature(fileSource(file.fd, FLATBUFFER_PAGE_BYTES)) };
    try {
      return { format: 'onnx', signature: readOnnxSignature(fileSource(file.fd)) };
    } catch (err) {
      if (err instanceof InvalidModelError && (err.reason === 'truncated' || err.reason === 'not_a_model')) {
        const foreign = await describeForeignFile(path, head);
        if (foreign !== null) {
          throw new InvalidModelError('not_a_model', `file looks like ${foreign}, not an ONNX or TFLite model`);
        }
      }
      throw err;
    }
  } finally {
    await file.close();
  }
}

async function readHead(file: FileHandle, length: number): Promise<Uint8Array> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, 0);
  return buffer.subarray(0, bytesRead);
}

/** TFLite files are FlatBuffers with the file identifier "TFL3" at bytes 4..8. */
function isTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && new TextDecoder().decode(bytes.subarray(4, 8)) === 'TFL3';
}

async function describeForeignFile(path: string, head: Uint8Array): Promise<string | null> {
  const type = await fileTypeFromFile(path);
  if (type !== undefined) return describeType(type);
  return looksLikeText(head) ? 'a text file' : null;
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
