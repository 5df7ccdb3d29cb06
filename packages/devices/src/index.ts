export {
  DriverError,
  type DeviceDriver,
  type DriverErrorCode,
  type DriverJob,
  type DriverResult,
  type HealthReport,
} from './driver.ts';
export { createDrivers, type DriversConfig } from './registry.ts';
export { HostDriver, type HostDriverOptions } from './host/host-driver.ts';
export { AndroidDriver, type AndroidDriverOptions } from './android/android-driver.ts';
export type { AndroidDeviceConfig } from './android/discovery.ts';
export type { NativeHarnessConfig } from './android/native-harness.ts';
export { chromeCapabilities, CHROME_PACKAGE, type WebHarnessConfig } from './android/web-harness.ts';
export type { AppiumEndpoint } from './android/appium-session.ts';
export { BrowserDriver, findProcesses, killProcesses, type BrowserDriverOptions, type WebDriverEndpoint, type JobTimings } from './browser/index.ts';
export { loadInventory, parseInventory, mergeInventory, withInventory, InventoryError, Inventory, INVENTORY_FORMAT } from './inventory.ts';
export type { InventoryEntry, MergedDevices } from './inventory.ts';
export { runBrowserFeatureJob, fakeCameraArgs, type FeatureReplayTimings } from './browser/index.ts';
export { featureResult, type FeatureReplay } from './feature/summary.ts';
export { HostCostSampler, processTree, type HostCostSources } from './feature/host-cost.ts';
export { parseNativeFeatureResult, androidCostSamples, type NativeFeatureResult } from './android/feature-result.ts';
