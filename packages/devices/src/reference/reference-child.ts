/**
 * Computes parity reference outputs with onnxruntime-node (the host driver's reference session: 1 thread,
 * graph optimization disabled) in a process of its own, so a native crash never takes the agent down.
 * Started by reference-process.ts; never imported.
 */
import type { GeneratedTensor } from '@edgeproof/models';
import { DriverError } from '../driver.ts';
import { createSession, REFERENCE_SESSION_OPTIONS, REFERENCE_SETTINGS_TEXT, toFeeds, toNumbers } from './onnx-session.ts';
import type { ReferenceReply, ReferenceRequest } from './reference-process.ts';

async function reference(req: ReferenceRequest): Promise<ReferenceReply> {
  const session = await createSession(req.modelPath, REFERENCE_SESSION_OPTIONS);
  const outputs: Record<string, Float64Array | null>[] = [];
  for (const set of req.sets) {
    const result = await session.run(toFeeds(set as Record<string, GeneratedTensor>, session.inputNames));
    outputs.push(Object.fromEntries(session.outputNames.map((name) => [name, toNumbers(result[name])])));
  }
  await session.release();
  return { type: 'result', outputNames: [...session.outputNames], outputs, settings: REFERENCE_SETTINGS_TEXT };
}

function reply(msg: ReferenceReply): void {
  process.send?.(msg, undefined, undefined, () => process.exit(0));
}

process.on('disconnect', () => process.exit(1));
process.once('message', (req: ReferenceRequest) => {
  reference(req).then(reply, (err: unknown) =>
    reply({
      type: 'error',
      code: err instanceof DriverError ? err.code : 'failed',
      message: err instanceof Error ? err.message : String(err),
    }),
  );
});
