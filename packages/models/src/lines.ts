import { createReadStream } from 'node:fs';

/** A line is longer than the reader allows; `line` is 1-based. */
export class LineTooLongError extends Error {
  override name = 'LineTooLongError';
  constructor(
    readonly line: number,
    readonly maxLineBytes: number,
  ) {
    super(`line ${line}: longer than ${maxLineBytes} bytes`);
  }
}

/**
 * The lines of a file as UTF-8 strings (split at "\n", a trailing "\r" dropped), read as a stream.
 * A line longer than `maxLineBytes` throws LineTooLongError as soon as that many bytes are buffered,
 * so memory stays bounded by the cap whatever the file holds.
 */
export async function* readLines(path: string, { maxLineBytes }: { maxLineBytes: number }): AsyncGenerator<string> {
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  let parts: Buffer[] = [];
  let partBytes = 0;
  let line = 0;
  const finish = (tail: Buffer): string => {
    const bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
    parts = [];
    partBytes = 0;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    return bytes.toString('utf8', 0, end);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        const stop = nl < 0 ? chunk.length : nl;
        // the "\r" of a CRLF does not count against the cap
        const carriage = nl > 0 && chunk[nl - 1] === 0x0d ? 1 : 0;
        if (partBytes + stop - start - carriage > maxLineBytes) throw new LineTooLongError(line + 1, maxLineBytes);
        if (nl < 0) {
          if (start < chunk.length) {
            parts.push(chunk.subarray(start));
            partBytes += chunk.length - start;
          }
          break;
        }
        line++;
        yield finish(chunk.subarray(start, nl));
        start = nl + 1;
      }
    }
    if (partBytes > 0) {
      line++;
      yield finish(Buffer.alloc(0));
    }
  } finally {
    stream.destroy();
  }
}
