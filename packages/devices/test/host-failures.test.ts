import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRegistration } from '@edgeproof/contracts';
import { DriverError, HostDriver } from '../src/index.ts';
import { childPids, isAlive, makeJob, OCR_CLS_MODEL, waitFor, writeModel, hostDevice } from './support/fixtures.ts';
import { hangingModel } from '@edgeproof/model-zoo';
import { linearClassifier } from './support/onnx-models.ts';

const driver = new HostDriver();
let dir: string;
let linearPath: string;
let hangPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-devices-fail-'));
  linearPath = await writeModel(dir, 'linear.onnx', linearClassifier());
  hangPath = await writeModel(dir, 'hang.onnx', hangingModel());
});
afterAll(async () => {
  await driver.dispose();
  await rm(dir, { recursive: true, force: true });
});

const host = () => hostDevice(driver);

async function failure(promise: Promise<unknown>): Promise<DriverError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DriverError);
  return err as DriverError;
}

describe('host driver failures', () => {
  it('times out a hanging model within the limit and leaves no child process', async () => {
    const job = makeJob(hangPath, 'latency', { timeoutSeconds: 5 });
    const started = Date.now();
    const err = await failure(driver.run(await host(), job, new AbortController().signal));
    const elapsed = Date.now() - started;
    expect(err.code).toBe('timeout');
    expect(err.message).toBe('inference timed out after 5s');
    expect(err.retryable).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(5000);
    expect(elapsed).toBeLessThan(8000);
    // only the fresh process that replaced it is left
    expect(childPids()).toEqual([driver.idleInferencePid].filter((p) => p !== undefined));
  });

  it('reports a native crash of the inference process clearly', async () => {
    const job = makeJob(linearPath, 'latency', {
      dims: { batch: 1 },
      warmupMinSeconds: 0,
      measureMinSeconds: 30,
      measureMaxRuns: 1_000_000,
    });
    const running = failure(driver.run(await host(), job, new AbortController().signal));
    const [pid] = await waitFor(() => {
      const pids = childPids();
      return pids.length > 0 ? pids : undefined;
    });
    // let it get into the measurement loop before the "crash"
    await new Promise((r) => setTimeout(r, 2500));
    process.kill(pid as number, 'SIGSEGV');
    const err = await running;
    expect(err.code).toBe('crashed');
    expect(err.message).toMatch(/^inference process crashed \(signal SIGSEGV\)/);
    // only the fresh process that replaced it is left
    expect(childPids()).toEqual([driver.idleInferencePid].filter((p) => p !== undefined));
  });

  it('kills the inference process when the caller aborts', async () => {
    const job = makeJob(hangPath, 'latency', { timeoutSeconds: 60 });
    const ac = new AbortController();
    const running = failure(driver.run(await host(), job, ac.signal));
    await waitFor(() => (childPids().length > 0 ? true : undefined));
    ac.abort(new Error('agent shutting down'));
    const err = await running;
    expect(err.code).toBe('aborted');
    expect(err.message).toBe('inference aborted: agent shutting down');
    // only the fresh process that replaced it is left
    expect(childPids()).toEqual([driver.idleInferencePid].filter((p) => p !== undefined));
  });

  it('fails without retry when a symbolic dimension has no value', async () => {
    const job = makeJob(OCR_CLS_MODEL, 'latency', { dims: { 'p2o.DynamicDimension.0': 1 } });
    const err = await failure(driver.run(await host(), job, new AbortController().signal));
    expect(err.code).toBe('invalid_input');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('p2o.DynamicDimension.1');
    expect(err.message).toContain('settings.dims');
  });

  it('refuses TFLite models without retry when LiteRT.js in a local Chromium is turned off', async () => {
    const job = makeJob(linearPath, 'latency', { dims: { batch: 1 } });
    job.model.format = 'tflite';
    const plain = new HostDriver({ litert: false });
    const [device] = await plain.discover();
    expect(device?.runtimes).toEqual(['onnxruntime-node']);
    const err = await failure(plain.run(device as DeviceRegistration, job, new AbortController().signal));
    expect(err.code).toBe('unsupported');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe("the host driver runs TFLite models with LiteRT.js in the agent's own Chromium, and it is disabled on this agent");
  });

  it('reports a model onnxruntime cannot load as invalid, without retry', async () => {
    const job = makeJob(linearPath, 'latency', { dims: { batch: 1 } });
    const broken = join(dir, 'broken.onnx');
    await writeFile(broken, Buffer.from('this is not a protobuf model at all'));
    job.model.path = broken;
    const err = await failure(driver.run(await host(), job, new AbortController().signal));
    expect(err.code).toBe('invalid_model');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^onnxruntime-node could not load the model/);
  });

  it('an inference process stuck in a native run ends itself when its agent dies', async () => {
    const agent = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/run-and-vanish.ts'), hangPath], {
      stdio: 'ignore',
    });
    const agentPid = agent.pid as number;
    const [inference] = await waitFor(() => {
      const pids = childPids(agentPid);
      return pids.length > 0 ? pids : undefined;
    });
    await new Promise((r) => agent.on('exit', r));
    await waitFor(() => (isAlive(inference as number) ? undefined : true), 5_000, 100);
  });
});
