import type { DriverErrorCode, DriverJob, DriverResult } from '../driver.ts';

/** IPC messages between the host driver and its inference process (advanced serialization). */
export type ParentMessage = { type: 'run'; job: DriverJob };

export type ChildMessage =
  | { type: 'result'; result: DriverResult }
  | { type: 'error'; error: { code: DriverErrorCode; message: string } };
