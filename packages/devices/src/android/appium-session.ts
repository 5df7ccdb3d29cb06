import { readFile } from 'node:fs/promises';
import { remote } from 'webdriverio';
import type { DeviceShell } from './device-shell.ts';

type Browser = Awaited<ReturnType<typeof remote>>;

export interface AppiumEndpoint {
  /** e.g. http://127.0.0.1:4723 (Appium 3 serves at "/"), a Selenium Grid or a cloud farm's URL */
  url: string;
  /** extra capabilities, e.g. a cloud farm's credentials (`"lt:options": {...}`) */
  capabilities?: Record<string, unknown>;
}

export interface OpenSessionOptions {
  serial: string;
  /** "Chrome" opens Chrome on the phone for the web harness; absent for a native session */
  browserName?: string;
  /** how long Appium keeps an idle session; default 300 s */
  newCommandTimeoutSec?: number;
  /** HTTP timeout of every WebDriver command (must outlast the longest executeAsync); default 180 s */
  commandTimeoutMs?: number;
  /** merged over the UiAutomator2 capabilities (the endpoint's own capabilities still win) */
  capabilities?: Record<string, unknown>;
}

/** What a session on one phone asks Appium for. */
export function androidCapabilities(endpoint: AppiumEndpoint, opts: OpenSessionOptions): Record<string, unknown> {
  return {
    platformName: 'Android',
    'appium:automationName': 'UiAutomator2',
    'appium:udid': opts.serial,
    'appium:noReset': true,
    'appium:newCommandTimeout': opts.newCommandTimeoutSec ?? 300,
    ...(opts.browserName ? { browserName: opts.browserName } : {}),
    ...opts.capabilities,
    ...endpoint.capabilities,
  };
}

/** Appium's own words from a WebdriverIO error, without WebdriverIO's framing. */
export function appiumReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const original = /Original error: ([\s\S]*)$/.exec(message)?.[1];
  return (original ?? message)
    .replace(/\s+/g, ' ')
    .replace(/^WebDriverError: /, '')
    .replace(/ when running "[^"]*" with method "\w+"$/, '')
    .trim()
    .slice(0, 1500);
}

/** A UiAutomator2 session on one phone, through WebdriverIO. */
export class AndroidSession {
  readonly browser: Browser;
  readonly serial: string;

  private constructor(browser: Browser, serial: string) {
    this.browser = browser;
    this.serial = serial;
  }

  static async open(endpoint: AppiumEndpoint, opts: OpenSessionOptions): Promise<AndroidSession> {
    const url = new URL(endpoint.url);
    const browser = await remote({
      protocol: url.protocol.replace(':', '') as 'http' | 'https',
      hostname: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      path: url.pathname || '/',
      ...(url.username ? { user: decodeURIComponent(url.username), key: decodeURIComponent(url.password) } : {}),
      logLevel: 'silent',
      connectionRetryCount: 0,
      connectionRetryTimeout: opts.commandTimeoutMs ?? 180_000,
      capabilities: androidCapabilities(endpoint, opts),
    });
    return new AndroidSession(browser, opts.serial);
  }

  /** `mobile: shell`; needs the server flag `--allow-insecure uiautomator2:adb_shell`. */
  async shell(command: string, args: string[] = [], timeoutMs = 20_000): Promise<string> {
    const out = await this.browser.execute('mobile: shell', { command, args, timeout: timeoutMs });
    return typeof out === 'string' ? out : String(out ?? '');
  }

  /** Shows a PNG in an emulator's VirtualScene camera (`mobile: injectEmulatorCameraImage`); phones refuse it. */
  async injectCameraImage(pngBase64: string): Promise<void> {
    await this.browser.execute('mobile: injectEmulatorCameraImage', { payload: pngBase64 });
  }

  /** A DeviceShell that goes through Appium only (no local adb needed: works with remote servers too). */
  asDeviceShell(): DeviceShell {
    return {
      shell: (command, args) => this.shell(command, args),
      push: async (local, remotePath) => this.browser.pushFile(remotePath, (await readFile(local)).toString('base64')),
      pull: async (remotePath) => Buffer.from(await this.browser.pullFile(remotePath), 'base64'),
      install: async (apk) => this.browser.installApp(apk),
    };
  }

  async close(): Promise<void> {
    await this.browser.deleteSession().catch(() => undefined);
  }
}
