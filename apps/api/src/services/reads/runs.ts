import { Readable } from 'node:stream';
import { BenchmarkSettings } from '@edgeproof/contracts';
import type pg from 'pg';
import { iso, Params, prepared } from './sql.ts';

/*
 * The run reads build their JSON in Postgres (json_build_object): the rows are never parsed into
 * objects in Node, never checked and serialized again; the raw samples go from float8[] to the
 * socket as text. Only the settings pass through the contract's schema (settingsJson). The shapes
 * are RunSummaryOut and JobOut; apps/api/test/run-reads.test.ts compares them with the Prisma mappers.
 */

const progress = (r: string) => `json_build_object(
    'total', count(*), 'queued', count(*) FILTER (WHERE j.status = 'queued'), 'running', count(*) FILTER (WHERE j.status = 'running'),
    'succeeded', count(*) FILTER (WHERE j.status = 'succeeded'), 'failed', count(*) FILTER (WHERE j.status = 'failed'),
    'cancelled', count(*) FILTER (WHERE j.status = 'cancelled'))
  FROM "Job" j WHERE j."runId" = ${r}.id`;

/** A run's summary without its settings, feature and scenario (added in Node), as JSON text. */
const SUMMARY = `json_build_object(
    'id', r.id, 'model', m.name, 'version', mv.version, 'baseline', bv.version,
    'dataset', CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object('name', d.name, 'version', d.version) END,
    'deviceSelector', r."deviceSelector", 'benchmarks', r.benchmarks, 'requestedBy', r."requestedBy", 'ci', r."ciContext",
    'status', r.status, 'progress', (SELECT ${progress('r')}),
    'createdAt', ${iso('r."createdAt"')}, 'finishedAt', ${iso('r."finishedAt"')})::text AS summary,
  r.id, r.settings::text AS settings, fb.name AS "featureName", fb.version AS "featureVersion", sc.name AS "scenarioName", sc.version AS "scenarioVersion"`;

const FROM = `
  FROM "EvaluationRun" r
  JOIN "ModelVersion" mv ON mv.id = r."modelVersionId"
  JOIN "Model" m ON m.id = mv."modelId"
  LEFT JOIN "ModelVersion" bv ON bv.id = r."baselineVersionId"
  LEFT JOIN "Dataset" d ON d.id = r."datasetId"
  LEFT JOIN "FeatureBuild" fb ON fb.id = r."featureBuildId"
  LEFT JOIN "Scenario" sc ON sc.id = r."scenarioId"`;

interface SummaryRow {
  summary: string;
  id: string;
  settings: string;
  featureName: string | null;
  featureVersion: string | null;
  scenarioName: string | null;
  scenarioVersion: string | null;
}

const settingsJson = new Map<string, string>();

/**
 * Stored settings through the contract's schema (defaults a later version added are filled in), as
 * JSON, once per distinct text: runs started by the same CI job or policy share theirs, and parsing
 * 50 of them cost more than the list query.
 */
function settingsOf(text: string): string {
  let json = settingsJson.get(text);
  if (json === undefined) {
    json = JSON.stringify(BenchmarkSettings.parse(JSON.parse(text)));
    if (settingsJson.size >= 1000) settingsJson.delete(settingsJson.keys().next().value as string);
    settingsJson.set(text, json);
  }
  return json;
}

/** The row's RunSummaryOut JSON without its closing brace (a run read adds its jobs). */
function openSummary(r: SummaryRow): string {
  let out = `${r.summary.slice(0, -1)},"settings":${settingsOf(r.settings)}`;
  if (r.featureName !== null) out += `,"feature":${JSON.stringify({ name: r.featureName, version: r.featureVersion })}`;
  if (r.scenarioName !== null) out += `,"scenario":${JSON.stringify({ name: r.scenarioName, version: r.scenarioVersion })}`;
  return out;
}

/**
 * `GET /v1/runs` (Page(RunSummaryOut)) as JSON text, newest first, in one query. The model filter
 * walks Model.name → ModelVersion(modelId) → EvaluationRun(modelVersionId, createdAt).
 */
export async function runsPageJson(sql: pg.Pool, q: { model?: string | undefined; limit: number; cursor?: string | undefined }): Promise<string> {
  const p = new Params();
  const where: string[] = [];
  if (q.model) where.push(`m.name = ${p.add(q.model)}`);
  // keyset: rows after the cursor row in (createdAt desc, id desc) order; an unknown cursor gives none
  if (q.cursor) where.push(`(r."createdAt", r.id) < (SELECT c."createdAt", c.id FROM "EvaluationRun" c WHERE c.id = ${p.add(q.cursor)}::uuid)`);
  const text = `SELECT ${SUMMARY} ${FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY r."createdAt" DESC, r.id DESC LIMIT ${p.add(q.limit + 1)}`;
  const { rows } = await sql.query<SummaryRow>(prepared(text, p.values));
  const more = rows.length > q.limit;
  const items = more ? rows.slice(0, q.limit) : rows;
  const next = more ? JSON.stringify(items[items.length - 1]?.id ?? null) : 'null';
  return `{"items":[${items.map((r) => `${openSummary(r)}}`).join(',')}],"nextCursor":${next}}`;
}

/** samples=false: the environment without the raw samples it carries (an interleaved baseline's, other runtimes'). */
const ENV_WITHOUT_SAMPLES = `(SELECT CASE WHEN jsonb_typeof(e -> 'runtimes') = 'array'
    THEN jsonb_set(e, '{runtimes}', (SELECT jsonb_agg(CASE WHEN jsonb_typeof(x) = 'object' THEN (x - 'rawSamples') #- '{environment,interleaved,baseline,rawSamples}' ELSE x END ORDER BY n)
                                     FROM jsonb_array_elements(e -> 'runtimes') WITH ORDINALITY AS t(x, n)))
    ELSE e END FROM (SELECT res.environment #- '{interleaved,baseline,rawSamples}' AS e) env)`;

const jobsQuery = (samples: boolean) => `
  SELECT json_build_object(
    'id', j.id, 'benchmark', j.benchmark, 'role', CASE WHEN j.role IN ('baseline', 'variant') THEN j.role ELSE 'candidate' END,
    'modelVersion', jv.version,
    'device', json_build_object('id', dv.id, 'platform', dv.platform, 'tier', dv.tier, 'model', dv.model, 'localKey', dv."localKey"),
    'status', j.status, 'attempts', j.attempts, 'reroutes', j.reroutes, 'error', j.error,
    'queuedAt', ${iso('j."queuedAt"')}, 'enqueuedAt', ${iso('j."enqueuedAt"')}, 'startedAt', ${iso('j."startedAt"')}, 'finishedAt', ${iso('j."finishedAt"')},
    'result', CASE WHEN res.id IS NULL THEN NULL ELSE json_build_object(
      'attempt', res.attempt, 'summary', res.summary,
      ${samples ? `'rawSamples', res."rawSamples", 'environment', res.environment,` : `'environment', ${ENV_WITHOUT_SAMPLES},`}
      'createdAt', ${iso('res."createdAt"')}) END)::text AS job
  FROM "Job" j
  JOIN "ModelVersion" jv ON jv.id = j."modelVersionId"
  JOIN "Device" dv ON dv.id = j."deviceId"
  LEFT JOIN "Result" res ON res."jobId" = j.id
  WHERE j."runId" = $1::uuid
  ORDER BY j."queuedAt" ASC, j.id ASC`;
const JOBS = { true: jobsQuery(true), false: jobsQuery(false) };

/** bodies up to this size go out as one string; larger ones as a stream of chunks about this size */
const CHUNK_BYTES = 256 * 1024;

/**
 * `GET /v1/runs/:id` as JSON in the shape of RunOut (RunOutWithoutSamples with `samples: false`),
 * null when there is no such run: two queries, then the jobs' JSON as Postgres wrote it. A run of
 * many jobs with many samples (megabytes) is streamed in chunks; a small one is a single string
 * (a stream costs more CPU than the write it saves there).
 */
export async function runJson(sql: pg.Pool, id: string, samples: boolean): Promise<string | Readable | null> {
  const [runs, jobs] = await Promise.all([
    sql.query<SummaryRow>(prepared(`SELECT ${SUMMARY} ${FROM} WHERE r.id = $1::uuid`, [id])),
    sql.query<{ job: string }>(prepared(JOBS[`${samples}`], [id])),
  ]);
  const run = runs.rows[0];
  if (!run) return null;
  const chunks: string[] = [];
  let chunk = `${openSummary(run)},"jobs":[`;
  jobs.rows.forEach((row, i) => {
    chunk += i ? `,${row.job}` : row.job;
    if (chunk.length >= CHUNK_BYTES) {
      chunks.push(chunk);
      chunk = '';
    }
  });
  chunks.push(`${chunk}]}`);
  return chunks.length === 1 ? (chunks[0] as string) : Readable.from(chunks, { objectMode: false });
}
