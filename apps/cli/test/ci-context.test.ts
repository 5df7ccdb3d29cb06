import { describe, expect, it } from 'vitest';
import { ciIdempotencyKey, detectCiContext } from '../src/ci-context.ts';

/** Variables as GitLab CI sets them in a merge-request pipeline (docs.gitlab.com, predefined variables). */
const GITLAB_MR = {
  GITLAB_CI: 'true',
  CI_PROJECT_PATH: 'acme/vision/digits',
  CI_COMMIT_SHA: 'fedcba9876543210fedcba9876543210fedcba98',
  CI_COMMIT_REF_NAME: 'refs/merge-requests/17/head',
  CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'faster-mlp',
  CI_MERGE_REQUEST_IID: '17',
  CI_PIPELINE_URL: 'https://gitlab.example.com/acme/vision/digits/-/pipelines/4242',
  CI_PIPELINE_ID: '4242',
  CI_JOB_NAME: 'gate',
};

describe('CI context from GitLab CI variables', () => {
  it('reads project, commit, source branch, merge request and pipeline URL in a merge-request pipeline', () => {
    expect(detectCiContext(GITLAB_MR)).toEqual({
      provider: 'gitlab-ci',
      repository: 'acme/vision/digits',
      commit: GITLAB_MR.CI_COMMIT_SHA,
      branch: 'faster-mlp',
      pullRequest: '17',
      runUrl: 'https://gitlab.example.com/acme/vision/digits/-/pipelines/4242',
    });
  });

  it('on a branch pipeline: the ref name is the branch, no merge request, empty variables are left out', () => {
    const { CI_MERGE_REQUEST_IID: _iid, CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: _src, ...branch } = GITLAB_MR;
    expect(detectCiContext({ ...branch, CI_COMMIT_REF_NAME: 'main', CI_PIPELINE_URL: '' })).toEqual({
      provider: 'gitlab-ci',
      repository: 'acme/vision/digits',
      commit: GITLAB_MR.CI_COMMIT_SHA,
      branch: 'main',
    });
  });

  it('is nothing outside CI, and GITLAB_CI must be exactly "true"', () => {
    expect(detectCiContext({})).toBeUndefined();
    expect(detectCiContext({ ...GITLAB_MR, GITLAB_CI: '1' })).toBeUndefined();
  });

  it('idempotency key: stable across retries of one job, different per pipeline, job, model, version or policy', () => {
    const parts = { model: 'digits', version: '1.2.0', policy: 'policy-sha' };
    const key = ciIdempotencyKey(GITLAB_MR, parts);
    expect(key).toMatch(/^ci-[0-9a-f]{40}$/);
    expect(ciIdempotencyKey({ ...GITLAB_MR }, { ...parts })).toBe(key);
    const others = [
      ciIdempotencyKey({ ...GITLAB_MR, CI_PIPELINE_ID: '4243' }, parts),
      ciIdempotencyKey({ ...GITLAB_MR, CI_JOB_NAME: 'gate-beta' }, parts),
      ciIdempotencyKey(GITLAB_MR, { ...parts, version: '1.2.1' }),
      ciIdempotencyKey(GITLAB_MR, { ...parts, policy: 'other' }),
    ];
    expect(new Set([key, ...others]).size).toBe(5);
    expect(ciIdempotencyKey({}, parts)).toBeUndefined();
  });
});
