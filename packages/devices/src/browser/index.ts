export { BrowserDriver } from './browser-driver.ts';
export { DEFAULT_APPIUM_URL, type BrowserDriverOptions } from './options.ts';
export { HEADLESS_ARGS, type WebDriverEndpoint } from '../web-harness/chromium.ts';
export type { JobTimings } from './run-job.ts';
export { findProcesses, killProcesses, type LocalProcess } from '../web-harness/processes.ts';
export { runBrowserFeatureJob, fakeCameraArgs, type FeatureReplayTimings } from './feature-job.ts';
