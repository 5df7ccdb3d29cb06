import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { startHarnessServer, type HarnessServer } from '@edgeproof/harness-web';
import type { DriverJob, DriverResult } from '../driver.ts';
import { runHarnessJob } from '../web-harness/harness-job.ts';
import { localChromiumTarget, type LocalChromiumOptions } from '../web-harness/local-chromium.ts';

const run = promisify(execFile);

/**
 * TFLite on the host device: the host has no native TFLite runtime in Node, so a TFLite job runs in the
 * agent's own headless Chromium with LiteRT.js on wasm (XNNPACK), through the web-harness job code
 * (../web-harness/harness-job.ts) and a chromedriver the agent starts itself
 * (../web-harness/local-chromium.ts). The harness server starts on first use and stops at close().
 */
export class HostLiteRt {
  readonly #opts: LocalChromiumOptions;
  #server: Promise<HarnessServer> | undefined;
  #available: Promise<string | null> | undefined;

  constructor(opts: LocalChromiumOptions) {
    this.#opts = opts;
  }

  /** null when Chromium and chromedriver answer --version, else why not (cached). */
  unavailableReason(): Promise<string | null> {
    this.#available ??= (async () => {
      for (const [what, bin] of [['chromium', this.#opts.browserBinary ?? '/usr/bin/chromium'], ['chromedriver', this.#opts.chromedriverPath ?? '/usr/bin/chromedriver']] as const) {
        try {
          await run(bin, ['--version'], { timeout: 15_000 });
        } catch (err) {
          return `${what} (${bin}) does not run: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
        }
      }
      return null;
    })();
    return this.#available;
  }

  async run(job: DriverJob, signal: AbortSignal): Promise<DriverResult> {
    this.#server ??= startHarnessServer();
    const cpu = os.cpus()[0]?.model?.trim();
    const target = localChromiumTarget(await this.#server, this.#opts, 'host', { hostCpu: cpu ?? 'unknown' });
    return runHarnessJob(target, job, signal);
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await (await server).close();
  }
}
