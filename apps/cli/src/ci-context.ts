import { createHash } from 'node:crypto';
import type { CiContext } from '@edgeproof/contracts';

type Env = Record<string, string | undefined>;

/** Where this command runs, read from the variables common CI systems set (GitHub Actions, GitLab CI). */
export function detectCiContext(env: Env): CiContext | undefined {
  if (env.GITHUB_ACTIONS === 'true') {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    const pr = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
    return clean({
      provider: 'github-actions',
      repository: env.GITHUB_REPOSITORY,
      commit: env.GITHUB_SHA,
      branch: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME,
      pullRequest: pr,
      runUrl: env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    });
  }
  if (env.GITLAB_CI === 'true') {
    return clean({
      provider: 'gitlab-ci',
      repository: env.CI_PROJECT_PATH,
      commit: env.CI_COMMIT_SHA,
      branch: env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME || env.CI_COMMIT_REF_NAME,
      pullRequest: env.CI_MERGE_REQUEST_IID,
      runUrl: env.CI_PIPELINE_URL,
    });
  }
  return undefined;
}

/**
 * An Idempotency-Key that is the same when CI retries the same job (same pipeline run, model,
 * version and policy) and different otherwise; undefined outside CI.
 */
export function ciIdempotencyKey(env: Env, parts: { model: string; version: string; policy: string }): string | undefined {
  const run = env.GITHUB_ACTIONS === 'true' ? `gh:${env.GITHUB_REPOSITORY}:${env.GITHUB_RUN_ID}:${env.GITHUB_JOB ?? ''}` : env.GITLAB_CI === 'true' ? `gl:${env.CI_PROJECT_PATH}:${env.CI_PIPELINE_ID}:${env.CI_JOB_NAME ?? ''}` : undefined;
  if (!run) return undefined;
  const digest = createHash('sha256').update(`${run}\n${parts.model}\n${parts.version}\n${parts.policy}`).digest('hex').slice(0, 40);
  return `ci-${digest}`;
}

function clean(c: Record<string, string | undefined>): CiContext {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, (v as string).slice(0, k === 'runUrl' ? 1000 : 300)])) as CiContext;
}
