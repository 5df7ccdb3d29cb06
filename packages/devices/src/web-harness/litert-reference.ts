import { encodeInputSets, startHarnessServer, type HarnessSpec } from '@edgeproof/harness-web';
import { DriverError } from '../driver.ts';
import type { InputSet } from '../inputs/input-sets.ts';
import { decodeToNumbers } from './decode.ts';
import { toPacked } from '../inputs/job-inputs.ts';
import { localChromiumTarget, type LocalChromiumOptions, type LocalChromiumSession } from './local-chromium.ts';
import { loadHarness, runInPage } from './page-calls.ts';
import type { ReferenceOutputs } from '../reference/reference-process.ts';

/**
 * The parity reference for TFLite models: LiteRT.js on wasm (XNNPACK, the CPU kernels of Android's
 * default LiteRT path), one thread, in the agent's own headless Chromium (local-chromium.ts), on the
 * job's input sets. Mirrors the ONNX reference (onnxruntime-node in a process of its own): a harness
 * server and a browser of its own, all stopped before it settles. Rejects with the job's stop reason
 * once `stopped` rejects.
 */
export async function litertReferenceOutputs(
  req: { modelPath: string; sets: InputSet[]; timeoutMs: number },
  stopped: Promise<never>,
  o: LocalChromiumOptions = {},
): Promise<ReferenceOutputs> {
  const server = await startHarnessServer();
  const target = localChromiumTarget(server, o, 'reference');
  const hosted = server.host({ modelPath: req.modelPath, format: 'tflite', inputs: encodeInputSets(toPacked(req.sets)) });
  let session: LocalChromiumSession | undefined;
  let answered = false;
  try {
    const opening = target.open(req.timeoutMs + 60_000);
    opening.catch(() => {});
    stopped.catch(() => opening.then((s) => (session === undefined ? target.close(s, { browserFirst: true }) : undefined), () => {}));
    session = await Promise.race([opening, stopped]);
    await Promise.race([loadHarness(session.browser, server.pageUrl('wasm')), stopped]);
    await session.browser.setTimeout({ script: Math.max(1000, req.timeoutMs) });
    const spec: HarnessSpec = {
      benchmark: 'parity',
      runtime: 'litert',
      executionProvider: 'wasm',
      modelUrl: hosted.modelUrl,
      inputsUrl: hosted.inputsUrl,
      threads: 1,
      simd: 'fixed',
      warmupMinRuns: 0,
      warmupMinSeconds: 0,
      measureMinRuns: 1,
      measureMinSeconds: 0,
      measureMaxRuns: 1,
      measureMaxSeconds: 1,
    };
    const answer = await Promise.race([runInPage(session.browser, spec), stopped]);
    answered = true;
    if (!answer.ok) throw new DriverError(answer.failure.code, `parity reference (LiteRT.js wasm in the agent's Chromium): ${answer.failure.message}`);
    const outputs = (answer.outputs ?? []).map((set) =>
      Object.fromEntries(answer.outputNames.map((name) => [name, set[name] ? decodeToNumbers(set[name]) : null])),
    );
    const wasmFile = String(answer.runtimeDetails.wasmFile ?? 'unknown wasm build');
    return {
      runtime: 'litert',
      executionProvider: 'wasm',
      outputNames: answer.outputNames,
      outputs,
      settings: `LiteRT.js ${answer.runtimeVersion} accelerator=wasm (XNNPACK) threads=1 ${wasmFile}; headless Chromium ${session.browserVersion} on the agent`,
    };
  } catch (err) {
    if (err instanceof DriverError) throw err;
    throw new DriverError('failed', `parity reference (LiteRT.js wasm in the agent's Chromium) failed: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`, { cause: err });
  } finally {
    hosted.remove();
    if (session) await target.close(session, { browserFirst: !answered });
    await server.close();
  }
}
