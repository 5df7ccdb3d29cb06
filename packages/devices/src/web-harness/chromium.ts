/*
 * Chromium and WebDriver facts every web-harness target shares: a desktop browser slot
 * (browser/), Chrome on a phone (android/), the agent's own Chromium (local-chromium.ts).
 */

/** Any WebDriver endpoint: one Appium server, a Selenium Grid hub, or a cloud device farm. */
export interface WebDriverEndpoint {
  /** e.g. http://127.0.0.1:4723 (Appium 3), http://grid:4444 (Grid 4), https://hub.cloud.example/wd/hub */
  url: string;
  /** basic-auth credentials (cloud farms: user name and access key) */
  user?: string;
  key?: string;
}

/** Chromium flags that work headless in containers and CI (see device-farm/README.md); the sandbox is `sandboxArgs`'s. */
export const HEADLESS_ARGS = [
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether Chromium keeps its sandbox. A bundle's code runs in the page, so the sandbox is kept
 * wherever it can be: only a Chromium that runs as root (which refuses the sandbox) goes without.
 */
export function keepsSandbox(sandbox: boolean | 'auto', endpointUrl: string, uid: number | undefined = process.getuid?.()): boolean {
  if (sandbox !== 'auto') return sandbox;
  // a remote endpoint's Chromium runs as whoever runs it there: farms run browsers as a plain user
  return !(isLoopback(endpointUrl) && uid === 0);
}

export const sandboxArgs = (keep: boolean): string[] => (keep ? [] : ['--no-sandbox']);

export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}

/** The endpoint URL without credentials, for logs and device attributes. */
export function endpointLabel(endpoint: WebDriverEndpoint): string {
  const u = new URL(endpoint.url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}
