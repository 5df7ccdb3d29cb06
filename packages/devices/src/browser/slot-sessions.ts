import type { ResolvedBrowserOptions } from './options.ts';
import { closeSession, openSession, type BrowserSession } from './session.ts';

/** a kept session is closed after this many jobs or this age, whichever first */
const MAX_JOBS = 50;
const MAX_AGE_MS = 30 * 60_000;

/** What the last job on the slot had of its session, for the result (timing) and the load window. */
export interface SessionUse {
  /** the session had served earlier jobs (this job got a fresh tab in it) */
  shared: boolean;
  ageMs: number;
  /** jobs the session has served, this one included */
  jobsServed: number;
  profileDir: string;
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
}

const epochNow = () => performance.timeOrigin + performance.now();

/**
 * The WebDriver sessions of one browser slot. A job that allows it (settings.reuseBrowserSession)
 * keeps the session afterwards and the next such job gets it with a fresh, never-used tab (made, and
 * the job's own tab closed, right after the job, while the agent posts its result: that frees its
 * page, wasm memory and workers; the next job waits for it if needed); any other job closes a
 * kept session first, since sessions on the slot share its chromedriver port. A kept session that no
 * longer answers is thrown away and a new one opened.
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

  async open(commandTimeoutMs: number, reuse: boolean): Promise<BrowserSession> {
    const started = performance.now();
    const kept = this.#kept;
    this.#kept = undefined;
    const replaced = (await this.#replacing) ?? true;
    this.#replacing = undefined;
    let use: Kept | undefined;
    if (kept && replaced && reuse && kept.commandTimeoutMs >= commandTimeoutMs && (await answers(kept.session))) {
      use = kept;
    } else if (kept) {
      await closeSession(this.#opts, kept.session, { browserFirst: false });
    }
    if (!use) {
      const session = await openSession(this.#opts, { slotName: this.#slotName, chromedriverPort: this.#chromedriverPort, commandTimeoutMs });
      use = { session, startedAt: performance.now() - session.openMs, jobsServed: 0, commandTimeoutMs };
    }
    use.jobsServed++;
    this.#active = use;
    const openedAtMs = epochNow();
    this.last = { shared: use.jobsServed > 1, ageMs: Math.round(performance.now() - use.startedAt), jobsServed: use.jobsServed, profileDir: use.session.profileDir, openedAtMs };
    this.onPhase?.('opened', openedAtMs);
    // a reused session's "open" is the check that it answers: that is what the job waited for
    return use.jobsServed > 1 ? { ...use.session, openMs: performance.now() - started } : use.session;
  }

  async close(session: BrowserSession, o: { browserFirst: boolean }, reuse: boolean): Promise<void> {
    const closeStartMs = epochNow();
    // while the session's processes are still known as the active session's
    this.onPhase?.('closing', closeStartMs);
    const active = this.#active;
    this.#active = undefined;
    const keep = reuse && !o.browserFirst && active !== undefined && active.session.browser === session.browser && active.jobsServed < MAX_JOBS && performance.now() - active.startedAt < MAX_AGE_MS;
    if (keep) {
      // the job is over once its tab is left: the fresh tab is made while the agent posts the result
      this.#kept = active;
      this.#replacing = freshTab(session);
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
