export { BrowserDriver } from './browser-driver.ts';
export { DEFAULT_APPIUM_URL, HEADLESS_ARGS, type BrowserDriverOptions, type WebDriverEndpoint } from './options.ts';
export type { JobTimings } from './run-job.ts';
export { findProcesses, killProcesses, type LocalProcess } from './processes.ts';
export { runBrowserFeatureJob, fakeCameraArgs, type FeatureReplayTimings } from './feature-job.ts';
