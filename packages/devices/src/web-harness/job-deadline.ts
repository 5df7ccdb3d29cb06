import { DriverError } from '../driver.ts';

/** The stop condition of one browser job: its timeout, or the caller's abort, whichever comes first. */
export interface JobDeadline {
  /** aborts with a DriverError ("timeout" or "aborted") */
  readonly signal: AbortSignal;
  /** rejects with that DriverError once `signal` aborts: race each browser call against it */
  readonly stopped: Promise<never>;
  /** clears the timer and the listener; aborts `signal` ("job finished") so nothing still waits on it */
  finish(): void;
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'signal aborted';
}

/** `what` names the job in the errors: "<what> timed out after 5s", "<what> aborted: <reason>". */
export function jobDeadline(outer: AbortSignal, timeoutSeconds: number, what: string): JobDeadline {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new DriverError('timeout', `${what} timed out after ${timeoutSeconds}s`)), timeoutSeconds * 1000);
  const onAbort = () => stop.abort(new DriverError('aborted', `${what} aborted: ${reasonText(outer.reason)}`));
  if (outer.aborted) onAbort();
  else outer.addEventListener('abort', onAbort, { once: true });
  const stopped = new Promise<never>((_, reject) => {
    const fire = () => reject(stop.signal.reason as Error);
    if (stop.signal.aborted) fire();
    else stop.signal.addEventListener('abort', fire, { once: true });
  });
  stopped.catch(() => {});
  return {
    signal: stop.signal,
    stopped,
    finish() {
      clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
      if (!stop.signal.aborted) stop.abort(new DriverError('aborted', 'job finished'));
    },
  };
}
