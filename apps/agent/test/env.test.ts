import { describe, expect, it } from 'vitest';
import { androidConfig, loadEnv } from '../src/env.ts';

const required = { API_URL: 'http://127.0.0.1:3000', AGENT_TOKEN: 'secret' };

describe('loadEnv', () => {
  it('fills defaults', () => {
    const env = loadEnv(required);
    expect(env).toMatchObject({
      API_URL: 'http://127.0.0.1:3000',
      AGENT_CACHE_DIR: '.data/agent-cache',
      HOST_DRIVER_ENABLED: true,
      HOST_DEVICE_TIER: 'mid',
      HOST_DEVICE_TAGS: [],
      LOG_LEVEL: 'info',
      POLL_WAIT_MS: 20_000,
      SHUTDOWN_GRACE_MS: 30_000,
    });
    // the agent reaches only the API: no queue settings, and a REDIS_URL in its environment is ignored
    expect(Object.keys(loadEnv({ ...required, REDIS_URL: 'redis://unreachable:1' })).filter((k) => /REDIS|QUEUE|LOCK/.test(k))).toEqual([]);
    // the name comes from the token unless set
    expect(env.AGENT_NAME).toBeUndefined();
    expect(env.AGENT_TAKEOVER).toBe(false);
  });

  it('parses tags, tier, numbers and flags', () => {
    const env = loadEnv({
      ...required,
      HOST_DEVICE_TAGS: ' ci, x86 ,,fast',
      HOST_DEVICE_TIER: 'low',
      POLL_WAIT_MS: '5000',
      HOST_DRIVER_ENABLED: 'false',
      AGENT_NAME: 'lab-01',
    });
    expect(env.HOST_DEVICE_TAGS).toEqual(['ci', 'x86', 'fast']);
    expect(env.HOST_DEVICE_TIER).toBe('low');
    expect(env.POLL_WAIT_MS).toBe(5000);
    expect(env.HOST_DRIVER_ENABLED).toBe(false);
    expect(env.AGENT_NAME).toBe('lab-01');
  });

  it('names every bad variable at once', () => {
    expect(() => loadEnv({ HOST_DEVICE_TIER: 'ultra' })).toThrow(/API_URL[\s\S]*AGENT_TOKEN[\s\S]*HOST_DEVICE_TIER/);
  });


  it('configures the Android driver: native app, emulator camera, web harness port and chromedriver', () => {
    const env = loadEnv({
      ...required,
      ANDROID_HARNESS: 'native',
      ANDROID_NATIVE_PACKAGE: 'com.example.vision',
      ANDROID_NATIVE_ACTIVITY: '.EdgeproofActivity',
      ANDROID_INJECTED_IMAGE_PROPERTIES: '{"position":{"z":-1.2}}',
      ANDROID_WEB_HARNESS_PORT: '8787',
      ANDROID_CHROMEDRIVER_EXECUTABLE: '/opt/chromedriver-131',
    });
    expect(androidConfig(env)).toMatchObject({
      harness: 'native',
      native: { package: 'com.example.vision', activity: '.EdgeproofActivity', emulatorCamera: 'appium-injection', injectedImageProperties: { position: { z: -1.2 } } },
      web: { port: 8787, chromedriverExecutable: '/opt/chromedriver-131' },
    });
    const defaults = androidConfig(loadEnv({ ...required, ANDROID_NATIVE_PACKAGE: 'p', ANDROID_NATIVE_ACTIVITY: '.A', ANDROID_EMULATOR_CAMERA: 'file' }));
    expect(defaults.web).toEqual({});
    expect(defaults.native).toEqual({ package: 'p', activity: '.A', emulatorCamera: 'file' });
    expect(() => loadEnv({ ...required, ANDROID_EMULATOR_CAMERA: 'webcam' })).toThrow(/ANDROID_EMULATOR_CAMERA/);
    expect(() => loadEnv({ ...required, ANDROID_INJECTED_IMAGE_PROPERTIES: '[1]' })).toThrow(/must be a JSON object[\s\S]*ANDROID_INJECTED_IMAGE_PROPERTIES/);
  });
});
