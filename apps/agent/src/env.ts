import { z } from 'zod';
import { DeviceTier, type ContentionThresholds } from '@edgeproof/contracts';
import type { AndroidDriverOptions, BrowserDriverOptions } from '@edgeproof/devices';

const csv = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  );

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const AgentEnv = z.object({
  API_URL: z.url(),
  AGENT_TOKEN: z.string().min(1),
  /** default: the agent AGENT_TOKEN is bound to; a different name is refused by the API */
  AGENT_NAME: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit')
    .optional(),
  /** take the agent over from another live process at once (it is fenced off) instead of waiting until it is silent */
  AGENT_TAKEOVER: bool.default(false),
  AGENT_CACHE_DIR: z.string().min(1).default('.data/agent-cache'),
  HOST_DRIVER_ENABLED: bool.default(true),
  HOST_DEVICE_TIER: DeviceTier.default('mid'),
  /** comma-separated */
  HOST_DEVICE_TAGS: csv,
  /** keep the host's inference process between jobs (replaced after any failure); packages/devices/src/host/README.md */
  HOST_REUSE_INFERENCE_PROCESS: bool.default(true),
  /**
   * A latency result measured on this agent's host or local browsers is flagged contended (gate rules on it
   * are inconclusive) when, over its measurement window, other runnable tasks per core average at least
   * this, CPU steal exceeds this %, or CPU busy with other work exceeds this % of the machine
   * (packages/devices/src/host/README.md says why these defaults).
   */
  CONTENTION_RUNNABLE_PER_CORE: z.coerce.number().min(0).default(1),
  CONTENTION_STEAL_PCT: z.coerce.number().min(0).max(100).default(5),
  CONTENTION_OTHER_BUSY_PCT: z.coerce.number().min(0).max(100).default(50),
  /** Android phones through Appium UiAutomator2 (see packages/devices/src/android/README.md) */
  ANDROID_ENABLED: bool.default(false),
  APPIUM_URL: z.url().default('http://127.0.0.1:4723'),
  /** comma-separated adb serials this agent must serve (reported unavailable while absent) */
  ANDROID_DEVICES: csv,
  /** also serve attached phones ANDROID_DEVICES does not list */
  ANDROID_DISCOVER_ATTACHED: bool.default(true),
  ANDROID_DEVICE_TIER: DeviceTier.default('mid'),
  ANDROID_HARNESS: z.enum(['web', 'native']).default('web'),
  /** the team's app implementing docs/android-native-harness.md */
  ANDROID_NATIVE_PACKAGE: z.string().optional(),
  ANDROID_NATIVE_ACTIVITY: z.string().optional(),
  ANDROID_NATIVE_APK: z.string().optional(),
  /** emulators' feature replays: the scene shown in the back camera by Appium's camera injection, or pushed as a file like on phones */
  ANDROID_EMULATOR_CAMERA: z.enum(['appium-injection', 'file']).default('appium-injection'),
  /** JSON object, Appium's injectedImageProperties (size, position, rotation of the poster the frames appear on) */
  ANDROID_INJECTED_IMAGE_PROPERTIES: z
    .string()
    .optional()
    .refine((s) => s === undefined || jsonObject(s) !== undefined, 'must be a JSON object')
    .transform((s) => (s === undefined ? undefined : jsonObject(s))),
  /** web harness on phones: the harness server's port on the agent (reversed onto the phone), 0 = any free port */
  ANDROID_WEB_HARNESS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** web harness on phones: a chromedriver on the Appium host that fits the phones' Chrome (appium:chromedriverExecutable) */
  ANDROID_CHROMEDRIVER_EXECUTABLE: z.string().min(1).optional(),
  ANDROID_MIN_BATTERY_PCT: z.coerce.number().min(0).max(100).default(20),
  ANDROID_MAX_BATTERY_TEMP_C: z.coerce.number().default(40),
  ANDROID_COOLDOWN_MAX_MS: z.coerce.number().int().min(0).default(300_000),
  ANDROID_HEALTH_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  ADB_PATH: z.string().default('adb'),
  /** browser devices: this many Chromium slots through the WebDriver endpoint, 0 = off (device-farm/README.md) */
  BROWSER_DEVICES: z.coerce.number().int().min(0).max(64).default(0),
  /** browser sessions go here instead of APPIUM_URL: a Selenium Grid hub or a cloud farm's WebDriver URL */
  BROWSER_WEBDRIVER_URL: z.url().optional(),
  /** basic-auth credentials of the WebDriver endpoint (cloud farms: user name and access key) */
  WEBDRIVER_USER: z.string().min(1).optional(),
  WEBDRIVER_KEY: z.string().min(1).optional(),
  /** JSON object merged over the browser session capabilities (e.g. a cloud farm's vendor options) */
  BROWSER_CAPABILITIES: z
    .string()
    .default('{}')
    .refine((s) => jsonObject(s) !== undefined, 'must be a JSON object')
    .transform((s) => jsonObject(s) ?? {}),
  /** Chromium / chromedriver on the Appium host; empty = let the endpoint choose (cloud farms) */
  BROWSER_BINARY: z.string().default('/usr/bin/chromium'),
  CHROMEDRIVER_PATH: z.string().default('/usr/bin/chromedriver'),
  /** browser slot i uses chromedriver port base + i (and base + slots for the probe); distinct per agent sharing an Appium */
  BROWSER_CHROMEDRIVER_BASE_PORT: z.coerce.number().int().min(1024).max(65000).default(9600),
  BROWSER_DEVICE_TIER: DeviceTier.default('mid'),
  BROWSER_DEVICE_TAGS: csv,
  BROWSER_EXECUTION_PROVIDER: z.enum(['wasm', 'webgpu']).default('wasm'),
  /** Chromium's sandbox: auto keeps it unless a local Chromium would run as root; true/false force it */
  BROWSER_SANDBOX: z.enum(['auto', 'true', 'false']).default('auto').transform((v) => (v === 'auto' ? ('auto' as const) : v === 'true')),
  /** the jobs of one run queued back to back for a browser device share its WebDriver session (a fresh tab each) */
  BROWSER_CONTINUE_BATCHES: bool.default(true),
  /** a kept session's fresh tab gets the harness page with the runtime started before the next job comes */
  BROWSER_PREPARE_PAGES: bool.default(true),
  /** where the agent serves the web harness; browsers on other hosts need HARNESS_PUBLIC_URL */
  HARNESS_HOST: z.string().min(1).default('127.0.0.1'),
  HARNESS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  HARNESS_PUBLIC_URL: z.url().optional(),
  /** YAML device inventory merged over discovered devices (device-farm/inventory.example.yaml) */
  DEVICE_INVENTORY: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** how long one long poll for a job waits before asking again */
  POLL_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(20_000),
  /** on SIGTERM, how long running jobs may finish before they are handed back (and run again elsewhere) */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
});
export type AgentEnv = z.infer<typeof AgentEnv>;

/** The Android driver's options from the environment. */
export function androidConfig(env: AgentEnv): AndroidDriverOptions {
  const pkg = env.ANDROID_NATIVE_PACKAGE;
  const activity = env.ANDROID_NATIVE_ACTIVITY;
  if (env.ANDROID_HARNESS === 'native' && !(pkg && activity)) {
    throw new Error('invalid agent environment:\nANDROID_HARNESS=native needs ANDROID_NATIVE_PACKAGE and ANDROID_NATIVE_ACTIVITY');
  }
  return {
    appium: { url: env.APPIUM_URL },
    adb: { adbPath: env.ADB_PATH },
    devices: env.ANDROID_DEVICES.map((serial) => ({ serial })),
    discoverAttached: env.ANDROID_DISCOVER_ATTACHED,
    defaultTier: env.ANDROID_DEVICE_TIER,
    harness: env.ANDROID_HARNESS,
    ...(pkg && activity
      ? {
          native: {
            package: pkg,
            activity,
            ...(env.ANDROID_NATIVE_APK ? { apkPath: env.ANDROID_NATIVE_APK } : {}),
            emulatorCamera: env.ANDROID_EMULATOR_CAMERA,
            ...(env.ANDROID_INJECTED_IMAGE_PROPERTIES ? { injectedImageProperties: env.ANDROID_INJECTED_IMAGE_PROPERTIES } : {}),
          },
        }
      : {}),
    web: {
      ...(env.ANDROID_WEB_HARNESS_PORT ? { port: env.ANDROID_WEB_HARNESS_PORT } : {}),
      ...(env.ANDROID_CHROMEDRIVER_EXECUTABLE ? { chromedriverExecutable: env.ANDROID_CHROMEDRIVER_EXECUTABLE } : {}),
    },
    health: {
      minBatteryPct: env.ANDROID_MIN_BATTERY_PCT,
      maxBatteryTempC: env.ANDROID_MAX_BATTERY_TEMP_C,
      cooldownMaxMs: env.ANDROID_COOLDOWN_MAX_MS,
      intervalMs: env.ANDROID_HEALTH_INTERVAL_MS,
    },
  };
}

/** The contention thresholds of this agent's host and browser devices. */
export function contentionConfig(env: AgentEnv): ContentionThresholds {
  return { othersRunnablePerCore: env.CONTENTION_RUNNABLE_PER_CORE, stealPct: env.CONTENTION_STEAL_PCT, otherBusyPct: env.CONTENTION_OTHER_BUSY_PCT };
}

/** The browser driver's options from the environment. */
export function browserConfig(env: AgentEnv): BrowserDriverOptions {
  return {
    endpoint: {
      url: env.BROWSER_WEBDRIVER_URL ?? env.APPIUM_URL,
      ...(env.WEBDRIVER_USER !== undefined ? { user: env.WEBDRIVER_USER } : {}),
      ...(env.WEBDRIVER_KEY !== undefined ? { key: env.WEBDRIVER_KEY } : {}),
    },
    slots: env.BROWSER_DEVICES,
    browserBinary: env.BROWSER_BINARY === '' ? null : env.BROWSER_BINARY,
    chromedriverPath: env.CHROMEDRIVER_PATH === '' ? null : env.CHROMEDRIVER_PATH,
    chromedriverBasePort: env.BROWSER_CHROMEDRIVER_BASE_PORT,
    capabilities: env.BROWSER_CAPABILITIES,
    executionProvider: env.BROWSER_EXECUTION_PROVIDER,
    sandbox: env.BROWSER_SANDBOX,
    continueBatches: env.BROWSER_CONTINUE_BATCHES,
    preparePages: env.BROWSER_PREPARE_PAGES,
    tier: env.BROWSER_DEVICE_TIER,
    tags: env.BROWSER_DEVICE_TAGS,
    harness: { host: env.HARNESS_HOST, port: env.HARNESS_PORT, ...(env.HARNESS_PUBLIC_URL ? { publicUrl: env.HARNESS_PUBLIC_URL } : {}) },
    contention: contentionConfig(env),
  };
}

/** Parses the agent's configuration once, at start; throws a readable error listing every bad variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): AgentEnv {
  const parsed = AgentEnv.safeParse(source);
  if (!parsed.success) throw new Error(`invalid agent environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
