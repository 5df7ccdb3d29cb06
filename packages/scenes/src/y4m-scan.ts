import { frameByteLength, parseY4mHeaderLine, Y4M_MAX_LINE_BYTES, Y4mFormatError, type Y4mHeader } from './y4m.ts';

export interface Y4mScan {
  header: Y4mHeader;
  /** bytes of the header line, newline included */
  headerLength: number;
  frameCount: number;
}

const NEWLINE = 0x0a;
const FRAME = [0x46, 0x52, 0x41, 0x4d, 0x45]; // "FRAME"

/**
 * Checks a Y4M stream the way parseY4m checks bytes in memory (same errors), holding at most one
 * header or FRAME line: frame data is counted, never kept. `onHeader` runs before any frame is read,
 * so a caller can refuse a header early (e.g. dimensions that differ from a manifest).
 */
export async function scanY4m(chunks: AsyncIterable<Uint8Array>, onHeader?: (header: Y4mHeader) => void): Promise<Y4mScan> {
  let header: Y4mHeader | undefined;
  let headerLength = 0;
  let frameSize = 0;
  let frameCount = 0;
  /** absolute offset of the line being collected */
  let at = 0;
  /** a line split across chunks */
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let skipping = 0;

  const endLine = (line: Uint8Array) => {
    if (header === undefined) {
      header = parseY4mHeaderLine(new TextDecoder().decode(line));
      headerLength = line.length + 1;
      frameSize = frameByteLength(header.width, header.height);
      onHeader?.(header);
    } else {
      if (line.length < FRAME.length || FRAME.some((b, k) => line[k] !== b)) throw notFrame();
      skipping = frameSize;
    }
    at += line.length + 1;
  };
  const notFrame = () => new Y4mFormatError(`frame ${frameCount}: expected "FRAME" at byte ${at}`);

  for await (const chunk of chunks) {
    let i = 0;
    while (i < chunk.length) {
      if (skipping > 0) {
        const n = Math.min(skipping, chunk.length - i);
        skipping -= n;
        i += n;
        if (skipping === 0) {
          frameCount++;
          at += frameSize;
        }
        continue;
      }
      if (header !== undefined && pendingBytes === 0 && chunk[i] !== FRAME[0]) throw notFrame();
      const nl = chunk.indexOf(NEWLINE, i);
      const stop = nl < 0 ? chunk.length : nl;
      if (pendingBytes + stop - i > Y4M_MAX_LINE_BYTES) {
        throw header === undefined
          ? new Y4mFormatError('not a Y4M file: no header line')
          : new Y4mFormatError(`frame ${frameCount}: FRAME line at byte ${at} is longer than ${Y4M_MAX_LINE_BYTES} bytes`);
      }
      if (nl < 0) {
        pending.push(chunk.slice(i));
        pendingBytes += chunk.length - i;
        break;
      }
      const part = chunk.subarray(i, nl);
      endLine(pendingBytes === 0 ? part : Buffer.concat([...pending, part]));
      pending = [];
      pendingBytes = 0;
      i = nl + 1;
    }
  }
  if (header === undefined) throw new Y4mFormatError('not a Y4M file: no header line');
  if (skipping > 0) throw new Y4mFormatError(`frame ${frameCount}: truncated (${frameSize - skipping} of ${frameSize} bytes)`);
  if (pendingBytes > 0) throw notFrame();
  return { header, headerLength, frameCount };
}
