import type { DriverErrorCode, DriverJob, DriverResult } from '../driver.ts';
import type { JobPhases } from './phases.ts';

/**
 * IPC messages between the host driver and its inference process (advanced serialization).
 * keepAlive: the process stays for the next job after a result (it still exits after an error).
 */
export type ParentMessage = { type: 'run'; job: DriverJob; keepAlive?: boolean };

/** resident memory of the process once its first job was over (at the first job: its start), and at the start of this one (both after a GC) */
export interface ChildMemory {
  baseRssBytes: number;
  startRssBytes: number;
}

export type ChildMessage =
  | { type: 'result'; result: DriverResult; phases?: JobPhases; memory?: ChildMemory }
  /** a kept process after its job: resident memory once the job's garbage is collected */
  | { type: 'idle'; rssBytes: number; baseRssBytes: number; freshRssBytes: number }
  | { type: 'error'; error: { code: DriverErrorCode; message: string } };
