import type { PagePrep } from '../web-harness/harness-job.ts';
import { loadHarness, preparePage } from '../web-harness/page-calls.ts';
import type { ResolvedBrowserOptions } from './options.ts';
import { closeSession, openSession, type BrowserSession } from './session.ts';

/** a kept session is closed after this many jobs or this age, whichever first */
const MAX_JOBS = 50;
const MAX_AGE_MS = 30 * 60_000;
/** preparing the fresh tab (harness page + runtime start) gives up after this long; the tab is then not used */
const PREPARE_TIMEOUT_MS = 30_000;

/** What a job allows of its session: reuse (settings.reuseBrowserSession) or, within its run's batch on the device, continuing it. */
export interface SessionRequest {
  reuse: boolean;
  runId?: string;
  batch?: { index: number; size: number };
}

/** a kept session serves the job: it allows reuse, or it continues the batch the session served last */
const mayTakeKept = (kept: Kept, req: SessionRequest) => req.reuse || (req.batch !== undefined && req.batch.index > 1 && kept.runId !== undefined && kept.runId === req.runId);
/** the session is kept after the job: it allows reuse, or more of its batch follows */
const keepAfter = (req: SessionRequest) => req.reuse || (req.batch !== undefined && req.batch.index < req.batch.size);

/** What the last job on the slot had of its session, for the result (timing) and the load window. */
export interface SessionUse {
  /** the session had served earlier jobs (this job got a fresh tab in it) */
  shared: boolean;
  ageMs: number;
  /** jobs the session has served, this one included */
  jobsServed: number;
  profileDir: string;
  /** the tab had the harness page loaded and its runtime started before the job (prepareKey), if so */
  preparedPage?: string;
  /** epoch ms: session ready for the job; its closing (or tab replacement) started / ended */
  openedAtMs: number;
  closeStartMs?: number;
  closeEndMs?: number;
}

interface Kept {
  session: BrowserSession;
  startedAt: number;
  jobsServed: number;
  commandTimeoutMs: number;
  /** the run of the last job it served */
  runId: string | undefined;
  /** its fresh tab holds a harness page prepared with this key (prepareKey) */
  prepared: string | undefined;
}

const epochNow = () => performance.timeOrigin + performance.now();

/**
 * The WebDriver sessions of one browser slot. A job that allows it (settings.reuseBrowserSession), or
 * that has more of its run's batch after it on the device, keeps the session afterwards, and the next
 * such job (or the batch's next job) gets it with a fresh, never-used tab: made, and the job's own tab
 * closed, right after the job while the agent posts its result (that frees its page, wasm memory and
 * workers), then given the harness page with the finished job's runtime started in it (`PagePrep`),
 * which a next job with the same runtime set-up uses instead of loading its own; the next job waits
 * for all that if it comes early. Any other job closes a kept session first, since sessions on the
 * slot share its chromedriver port. A kept session that no longer answers is thrown away.
 */
export class SlotSessions {
  readonly #opts: ResolvedBrowserOptions;
  readonly #slotName: string;
  readonly #chromedriverPort: number;
  #kept: Kept | undefined;
  /** the kept session's tab being replaced after its job (off that job's clock); true when it worked */
  #replacing: Promise<boolean> | undefined;
  #active: Kept | undefined;
  /** the current or last job's use of its session */
  last: SessionUse | undefined;
  /** called when a job's session is ready and when its closing starts (the load sampler brackets the window) */
  onPhase: ((phase: 'opened' | 'closing', atMs: number) => void) | undefined;

  constructor(opts: ResolvedBrowserOptions, slotName: string, chromedriverPort: number) {
    this.#opts = opts;
    this.#slotName = slotName;
    this.#chromedriverPort = chromedriverPort;
  }

  /** profile directory of the session in use (its browser processes carry it in --user-data-dir) */
  get profileDir(): string | undefined {
    return (this.#active ?? this.#kept)?.session.profileDir;
  }

  async open(commandTimeoutMs: number, req: SessionRequest): Promise<BrowserSession> {
    const started = performance.now();
    const kept = this.#kept;
    this.#kept = undefined;
    const replaced = (await this.#replacing) ?? true;
    this.#replacing = undefined;
    let use: Kept | undefined;
    if (kept && replaced && mayTakeKept(kept, req) && kept.commandTimeoutMs >= commandTimeoutMs && (await answers(kept.session))) {
      use = kept;
    } else if (kept) {
      await closeSession(this.#opts, kept.session, { browserFirst: false });
    }
    if (!use) {
      const session = await openSession(this.#opts, { slotName: this.#slotName, chromedriverPort: this.#chromedriverPort, commandTimeoutMs });
      use = { session, startedAt: performance.now() - session.openMs, jobsServed: 0, commandTimeoutMs, runId: undefined, prepared: undefined };
    }
    use.jobsServed++;
    use.runId = req.runId;
    const preparedPage = use.prepared;
    use.prepared = undefined;
    this.#active = use;
    const openedAtMs = epochNow();
    this.last = { shared: use.jobsServed > 1, ageMs: Math.round(performance.now() - use.startedAt), jobsServed: use.jobsServed, profileDir: use.session.profileDir, openedAtMs, ...(preparedPage ? { preparedPage } : {}) };
    this.onPhase?.('opened', openedAtMs);
    // a reused session's "open" is the check that it answers: that is what the job waited for
    return use.jobsServed > 1 ? { ...use.session, openMs: performance.now() - started, ...(preparedPage ? { preparedPage } : {}) } : use.session;
  }

  /** `next`: what to prepare the fresh tab with when the session is kept (the finished job's first runtime). */
  async close(session: BrowserSession, o: { browserFirst: boolean; next?: PagePrep }, req: SessionRequest): Promise<void> {
    const closeStartMs = epochNow();
    // while the session's processes are still known as the active session's
    this.onPhase?.('closing', closeStartMs);
    const active = this.#active;
    this.#active = undefined;
    const keep = keepAfter(req) && !o.browserFirst && active !== undefined && active.session.browser === session.browser && active.jobsServed < MAX_JOBS && performance.now() - active.startedAt < MAX_AGE_MS;
    if (keep) {
      // the job is over once its tab is left: the fresh tab is made while the agent posts the result
      this.#kept = active;
      const next = this.#opts.preparePages ? o.next : undefined;
      this.#replacing = freshTab(session).then((ok) => (ok && next ? prepareTab(session, active, next) : ok));
    } else {
      await closeSession(this.#opts, session, o);
    }
    if (this.last) Object.assign(this.last, { closeStartMs, closeEndMs: epochNow() });
  }

  /** Closes the kept session, if any (before a job that opens a session of its own on this slot). */
  async closeKept(): Promise<void> {
    const kept = this.#kept;
    this.#kept = undefined;
    await this.#replacing;
    this.#replacing = undefined;
    if (kept) await closeSession(this.#opts, kept.session, { browserFirst: false });
  }
}

async function answers(s: BrowserSession): Promise<boolean> {
  try {
    await s.browser.getWindowHandle();
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads the harness page in the fresh tab and starts the runtime there; true when the tab can be used
 * (prepared or still blank), false when the browser did not answer in time (the session is dropped).
 */
async function prepareTab(s: BrowserSession, kept: Kept, next: PagePrep): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), PREPARE_TIMEOUT_MS)));
  try {
    const work = (async () => {
      await loadHarness(s.browser, next.url, PREPARE_TIMEOUT_MS);
      const answer = await preparePage(s.browser, next.prepare);
      // a failed preparation leaves a page the job must not use: it loads its own (a navigation resets it)
      if (answer.ok) kept.prepared = answer.key;
      return 'done' as const;
    })();
    work.catch(() => {});
    return (await Promise.race([work, timeout])) === 'done';
  } catch {
    return true;
  } finally {
    clearTimeout(timer);
  }
}

/** Opens a new blank tab, closes every other one and switches to it; false when the browser does not cooperate. */
async function freshTab(s: BrowserSession): Promise<boolean> {
  try {
    const b = s.browser;
    const { handle } = await b.createWindow('tab');
    for (const h of await b.getWindowHandles()) {
      if (h === handle) continue;
      await b.switchToWindow(h);
      await b.closeWindow();
    }
    await b.switchToWindow(handle);
    return true;
  } catch {
    return false;
  }
}
