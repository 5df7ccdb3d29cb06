import type { ResultEnvironment } from '@edgeproof/contracts';
import type { DriverJob } from '../driver.ts';
import { cpuDescription, osDescription, readThermal } from './environment.ts';
import { runtimeVersion } from './device-session.ts';
import { measurementSettings } from '../measurement-settings.ts';

/** The environment block of a host result; thermal state is read when this is called (end of the run). */
export async function hostEnvironment(
  job: DriverJob,
  inputShapes: Record<string, number[]>,
  extra: Record<string, unknown> = {},
): Promise<ResultEnvironment> {
  const s = job.settings;
  const thermal = await readThermal();
  return {
    runtime: 'onnxruntime-node',
    runtimeVersion: runtimeVersion(),
    executionProvider: 'cpu',
    threads: s.threads,
    graphOptimization: 'all',
    ...measurementSettings(s),
    inputShapes,
    thermalState: thermal.state,
    ...(thermal.temperaturesC ? { temperaturesC: thermal.temperaturesC } : {}),
    os: osDescription(),
    cpu: cpuDescription(),
    extra: { node: process.version, interOpNumThreads: 1, executionMode: 'sequential', ...extra },
  };
}
