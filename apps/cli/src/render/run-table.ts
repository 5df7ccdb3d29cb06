import type { JobOut, RunOut } from '@edgeproof/contracts';
import Table from 'cli-table3';

/** three significant digits, so 13 µs reads 0.0132 and not 0.01 */
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

function describeDevice(job: JobOut): string {
  return `${job.device.localKey} (${job.device.platform}, ${job.device.tier})`;
}

function describeResult(job: JobOut): string[] {
  const r = job.result;
  if (!r) return [job.status === 'failed' ? `failed: ${job.error ?? ''}` : job.status, ''];
  const s = r.summary;
  const env = r.environment;
  switch (s.kind) {
    case 'latency':
      return [
        `${env.contended ? 'CONTENDED · ' : ''}p50 ${ms(s.stats.p50)} ms · p90 ${ms(s.stats.p90)} · p99 ${ms(s.stats.p99)} · cv ${(s.stats.cv * 100).toFixed(1)}%` +
          `\ninit ${ms(s.sessionCreateMs)} ms · first ${ms(s.firstInferenceMs)} ms · peak mem ${s.peakMemoryBytes ? `${(s.peakMemoryBytes / 2 ** 20).toFixed(0)} MiB` : 'n/a'}`,
        `${env.runtime} ${env.runtimeVersion} ${env.executionProvider}, ${env.threads} thread(s)\nwarmup ${s.warmup.runs} runs/${s.warmup.seconds.toFixed(2)} s · measured ${s.measure.runs} runs/${s.measure.seconds.toFixed(2)} s · thermal ${env.thermalState}` + contentionLine(env),
      ];
    case 'accuracy':
      return [`top-1 ${pct(s.top1)} · top-5 ${pct(s.top5)} (${s.correctTop1}/${s.samples})`, `output ${s.output}`];
    case 'parity':
      return [
        s.outputs.map((o) => `${o.name}: max|Δ| ${o.maxAbsError.toExponential(2)} · mean|Δ| ${o.meanAbsError.toExponential(2)} · cos ${o.cosineSimilarity?.toFixed(6) ?? 'n/a'}`).join('\n'),
        `vs ${s.reference.runtime} (${s.reference.settings}), ${s.samples} input sets`,
      ];
    case 'feature':
      return [
        `MOTA ${s.tracking.mota?.toFixed(3) ?? 'n/a'} · IDF1 ${s.tracking.idf1?.toFixed(3) ?? 'n/a'} · ID sw ${s.tracking.idSwitches}` +
          `\nlatency p50 ${s.delivery.latencyMs ? ms(s.delivery.latencyMs.p50) : 'n/a'} ms · ${s.delivery.processedFps?.toFixed(1) ?? 'n/a'} fps · dropped ${pct(s.delivery.droppedRatio)}`,
        `${s.feature.name}@${s.feature.version} on ${s.scenario.name}@${s.scenario.version}\n${env.runtime} ${env.runtimeVersion}, ${env.threads} thread(s)`,
      ];
  }
}

/** The load the agent saw while measuring; when contended, why (gate rules on it are inconclusive). */
function contentionLine(env: NonNullable<JobOut['result']>['environment']): string {
  const l = env.hostLoad;
  if (!l) return '';
  const load = `host load: ${l.othersRunnable.mean} other runnable/${l.cores} cores · other CPU ${l.otherBusyPct}% · steal ${l.stealPct}%`;
  return env.contended ? `
CONTENDED (gates: inconclusive): ${(env.contentionReasons ?? []).join('; ')}` : `
${load}`;
}

/** A readable table of a run's jobs: one row per (device, benchmark, version). */
export function renderRunTable(run: RunOut): string {
  const table = new Table({ head: ['device', 'benchmark', 'version', 'result', 'how it was measured'], colWidths: [22, 11, 18, 52, 60], wordWrap: true });
  for (const job of run.jobs) {
    table.push([describeDevice(job), job.benchmark, `${job.modelVersion}${job.role === 'baseline' ? ' (baseline)' : ''}`, ...describeResult(job)]);
  }
  return table.toString();
}
