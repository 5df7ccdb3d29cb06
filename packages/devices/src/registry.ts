import type { DeviceDriver } from './driver.ts';
import { HostDriver, type HostDriverOptions } from './host/host-driver.ts';
import { AndroidDriver, type AndroidDriverOptions } from './android/android-driver.ts';
import { BrowserDriver } from './browser/browser-driver.ts';
import type { BrowserDriverOptions } from './browser/options.ts';
import { withInventory, type Inventory } from './inventory.ts';

/** Which drivers an agent runs; each platform adds its own key. */
export interface DriversConfig {
  /** the machine's own CPU through onnxruntime-node; `false` turns it off */
  host?: HostDriverOptions | false;
  /** Android phones through Appium UiAutomator2; absent = off */
  android?: AndroidDriverOptions;
  /** browsers through a WebDriver endpoint (Appium chromium driver, Grid, cloud); absent = off */
  browser?: BrowserDriverOptions;
  /** lab-declared attributes (tier, tags, team, location) merged over what every driver discovers */
  inventory?: Inventory;
}

export function createDrivers(config: DriversConfig = {}): DeviceDriver[] {
  const drivers: DeviceDriver[] = [];
  if (config.host !== false) drivers.push(new HostDriver(config.host ?? {}));
  if (config.android) drivers.push(new AndroidDriver(config.android));
  if (config.browser) drivers.push(new BrowserDriver(config.browser));
  const inventory = config.inventory;
  return inventory ? drivers.map((d) => withInventory(d, inventory)) : drivers;
}
