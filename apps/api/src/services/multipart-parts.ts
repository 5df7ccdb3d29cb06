import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/** how long the request may sit paused by the parser while no part comes out before it counts as stalled */
const STALL_MS = 2_000;
const POLL_MS = 200;

/**
 * `request.parts()`, but a parser that stops reading ends the upload with a 400 instead of hanging it.
 *
 * busboy skips a part it cannot name (no `Content-Disposition: form-data; name=…`), and once such a
 * part is larger than its buffers it stops reading the request for good: nothing errors, the
 * request never answers. While we wait for the next part no consumer of ours is reading, so the
 * request being paused (`readableFlowing === false`) or already read to its end for a while can
 * only be the parser stuck; a slow client leaves the request flowing, waiting for bytes.
 */
export async function* guardedParts(request: FastifyRequest, options?: Parameters<FastifyRequest['parts']>[0]): AsyncGenerator<Multipart> {
  const parts = request.parts(options)[Symbol.asyncIterator]();
  for (;;) {
    const next = await untilStalled(parts.next(), request.raw);
    if (next.done) return;
    yield next.value;
  }
}

function untilStalled<T>(pending: Promise<T>, raw: FastifyRequest['raw']): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    let pausedSince: number | undefined;
    timer = setInterval(() => {
      // read to its end (all bytes are the parser's), or paused by the parser: either way only the parser can move
      if (raw.readableFlowing !== false && !raw.readableEnded) {
        pausedSince = undefined;
        return;
      }
      pausedSince ??= Date.now();
      if (Date.now() - pausedSince >= STALL_MS) {
        reject(new AppError(400, 'bad_request', 'body: a multipart part could not be read (every part needs a "Content-Disposition: form-data; name=…" header)'));
      }
    }, POLL_MS);
  });
  // once stalled, the parser's promise never settles; nothing may wait on it unhandled
  pending.catch(() => {});
  return Promise.race([pending, stalled]).finally(() => clearInterval(timer));
}
