import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { GateOut, PolicyRef } from '@edgeproof/contracts';
import { parsePolicy, PolicyError } from '@edgeproof/gating';
import { ApiError, type EdgeproofClient } from '@edgeproof/client';
import { ciIdempotencyKey, detectCiContext } from '../ci-context.ts';
import { CliError, EXIT, describeError, type Io } from '../context.ts';
import { createProgress } from '../progress.ts';
import { renderJunit } from '../render/junit.ts';
import { renderMarkdown } from '../render/markdown.ts';
import { renderVerdictTable } from '../render/verdict.ts';

export interface GateOptions {
  model: string;
  file?: string;
  version: string;
  /** a policy file (inline: decides, never approves) … */
  policy?: string;
  /** … or the name of a policy stored for the model (reviewed: a pass approves its scope) */
  policyName?: string;
  baseline?: string;
  taskKind: 'classification' | 'detection' | 'other';
  owner?: string;
  wait: boolean;
  timeoutMs: number;
  junit?: string;
  markdown?: string;
  json: boolean;
  gitCommit?: string;
}

/** 0 pass, 1 fail, 2 inconclusive; 4 for a gate without a verdict (error, cancelled, still running). */
export function exitCodeFor(gate: GateOut): number {
  if (gate.status === 'done' && gate.verdict === 'pass') return EXIT.ok;
  if (gate.status === 'done' && gate.verdict === 'fail') return EXIT.fail;
  if (gate.status === 'done' && gate.verdict === 'inconclusive') return EXIT.inconclusive;
  return EXIT.error;
}

/** Reads and validates the policy before anything is uploaded: a typo costs no device time. */
export async function readPolicy(path: string): Promise<string> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read policy ${path}: ${describeError(err)}`);
  }
  try {
    parsePolicy(source, path);
  } catch (err) {
    if (err instanceof PolicyError) throw new CliError(`invalid policy:\n${err.message}`);
    throw err;
  }
  return source;
}

/** Upload (idempotent), start or reuse the gate, wait, report; the exit code is the verdict. */
export async function runGate(client: EdgeproofClient, opts: GateOptions, io: Io): Promise<number> {
  if ((opts.policy === undefined) === (opts.policyName === undefined)) throw new CliError('give exactly one of --policy <file> or --policy-name <name>');
  const policy: PolicyRef = opts.policy ? { source: await readPolicy(opts.policy), file: basename(opts.policy) } : { name: opts.policyName as string };
  const ci = detectCiContext(io.env);
  if (opts.file) {
    await client.ensureModel({ name: opts.model, taskKind: opts.taskKind, owner: opts.owner ?? ci?.repository ?? 'unknown' });
    const commit = opts.gitCommit ?? (ci?.commit && /^[0-9a-f]{7,40}$/.test(ci.commit) ? ci.commit : undefined);
    const { created, version } = await client.uploadModelVersion(opts.model, opts.file, { version: opts.version, ...(commit ? { gitCommit: commit } : {}) });
    io.err(`${created ? 'uploaded' : 'already stored'}: ${opts.model} ${version.version} (sha256 ${version.sha256.slice(0, 12)}…, ${version.sizeBytes} bytes)`);
  }
  const key = ciIdempotencyKey(io.env, { model: opts.model, version: opts.version, policy: 'name' in policy ? `stored:${policy.name}` : policy.source });
  const { created, gate: started } = await client.createGate(
    {
      model: opts.model,
      version: opts.version,
      policy,
      ...(opts.baseline ? { baseline: opts.baseline } : {}),
      ...(ci ? { ci } : {}),
    },
    key,
  );
  io.err(`${created ? 'started' : 'reusing'} gate ${started.id} (run ${started.runId}${started.baseline ? `, baseline ${started.baseline}` : ''})`);
  if (!started.approval.eligible) io.err(`note: a pass will not approve automatically: ${started.approval.message}`);
  if (!opts.wait) {
    io.out(opts.json ? JSON.stringify(started, null, 2) : `gate ${started.id}: ${started.status}; follow it with: edgeproof gate-status ${started.id}`);
    return EXIT.ok;
  }
  const progress = createProgress(io);
  let gate: GateOut;
  try {
    gate = await client.waitForGate(started.id, { timeoutMs: opts.timeoutMs, onPoll: (g, run) => progress.update(run, g.status === 'confirming' ? 'confirmation run' : 'run') });
  } catch (err) {
    progress.stop();
    if (err instanceof ApiError && err.code === 'timeout') {
      io.err(`timeout: ${err.message}; the gate keeps running on the server (${started.evidenceUrl})`);
      return EXIT.timeout;
    }
    throw err;
  }
  progress.stop();
  await writeReports(gate, opts);
  io.out(opts.json ? JSON.stringify(gate, null, 2) : renderVerdictTable(gate));
  return exitCodeFor(gate);
}

export async function writeReports(gate: GateOut, opts: { junit?: string | undefined; markdown?: string | undefined }): Promise<void> {
  if (opts.junit) await writeFile(opts.junit, renderJunit(gate));
  if (opts.markdown) await writeFile(opts.markdown, renderMarkdown(gate));
}
