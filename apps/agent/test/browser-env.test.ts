import { describe, expect, it } from 'vitest';
import { browserConfig, loadEnv } from '../src/env.ts';

const base = { API_URL: 'http://127.0.0.1:3000', AGENT_TOKEN: 't' };

describe('agent environment: browser devices', () => {
  it('is off by default and maps every browser variable onto the driver options', () => {
    expect(loadEnv(base).BROWSER_DEVICES).toBe(0);
    const env = loadEnv({
      ...base,
      BROWSER_DEVICES: '2',
      APPIUM_URL: 'http://127.0.0.1:4723',
      BROWSER_WEBDRIVER_URL: 'https://hub.farm.example/wd/hub',
      WEBDRIVER_USER: 'lab',
      WEBDRIVER_KEY: 'k3y',
      BROWSER_CAPABILITIES: '{"farm:options":{"build":"nightly"}}',
      BROWSER_DEVICE_TAGS: 'ci, lab-a',
      BROWSER_DEVICE_TIER: 'low',
      HARNESS_HOST: '0.0.0.0',
      HARNESS_PORT: '8095',
      HARNESS_PUBLIC_URL: 'http://10.0.0.7:8095',
      CONTENTION_RUNNABLE_PER_CORE: '2',
      CONTENTION_STEAL_PCT: '10',
      CONTENTION_OTHER_BUSY_PCT: '70',
      BROWSER_PREPARE_PAGES: 'false',
    });
    expect(browserConfig(env)).toEqual({
      endpoint: { url: 'https://hub.farm.example/wd/hub', user: 'lab', key: 'k3y' },
      slots: 2,
      browserBinary: '/usr/bin/chromium',
      chromedriverPath: '/usr/bin/chromedriver',
      chromedriverBasePort: 9600,
      capabilities: { 'farm:options': { build: 'nightly' } },
      executionProvider: 'wasm',
      tier: 'low',
      tags: ['ci', 'lab-a'],
      harness: { host: '0.0.0.0', port: 8095, publicUrl: 'http://10.0.0.7:8095' },
      contention: { othersRunnablePerCore: 2, stealPct: 10, otherBusyPct: 70 },
      sandbox: 'auto',
      continueBatches: true,
      preparePages: false,
    });
  });

  it('browser sessions use APPIUM_URL unless BROWSER_WEBDRIVER_URL is set; empty paths leave them to the endpoint', () => {
    const env = loadEnv({ ...base, BROWSER_DEVICES: '1', APPIUM_URL: 'http://10.0.0.3:4723', BROWSER_BINARY: '', CHROMEDRIVER_PATH: '' });
    expect(browserConfig(env)).toMatchObject({ endpoint: { url: 'http://10.0.0.3:4723' }, browserBinary: null, chromedriverPath: null });
  });

  it('names the variable when a value is wrong', () => {
    expect(() => loadEnv({ ...base, BROWSER_CAPABILITIES: '[1,2]' })).toThrow(/must be a JSON object\s*→ at BROWSER_CAPABILITIES/);
    expect(() => loadEnv({ ...base, BROWSER_CAPABILITIES: '{nope' })).toThrow(/BROWSER_CAPABILITIES/);
    expect(() => loadEnv({ ...base, BROWSER_DEVICES: '-1' })).toThrow(/BROWSER_DEVICES/);
    expect(() => loadEnv({ ...base, BROWSER_EXECUTION_PROVIDER: 'webgl' })).toThrow(/BROWSER_EXECUTION_PROVIDER/);
    expect(() => loadEnv({ ...base, BROWSER_SANDBOX: 'maybe' })).toThrow(/BROWSER_SANDBOX/);
    expect(browserConfig(loadEnv({ ...base, BROWSER_SANDBOX: 'false' })).sandbox).toBe(false);
    expect(() => loadEnv({ ...base, BROWSER_CONTINUE_BATCHES: 'sometimes' })).toThrow(/BROWSER_CONTINUE_BATCHES/);
    expect(browserConfig(loadEnv({ ...base, BROWSER_CONTINUE_BATCHES: 'false' })).continueBatches).toBe(false);
  });
});
