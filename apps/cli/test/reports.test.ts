import { GateOut } from '@edgeproof/contracts';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../src/render/junit.ts';
import { renderMarkdown } from '../src/render/markdown.ts';

/** What a job error quoting device output can carry: C0 controls, a lone surrogate, markup, pipes. */
const NASTY = 'device said \u0000\u0007\u001b[31mboom\u001b[0m <b>&</b> | "x" \'y\' \uD800 \uFFFE end';

const gate = GateOut.parse({
  id: '00000000-0000-4000-8000-000000000001',
  model: 'mnist',
  version: '1.2.0',
  baseline: '1.1.0',
  policyName: 'release <&>',
  policyOrigin: { kind: 'inline', file: 'p.yaml' },
  approval: { eligible: false, reason: 'inline-policy', message: 'inline policy' },
  scope: { platform: '*', tiers: ['mid'], channel: 'beta' },
  status: 'done',
  verdict: 'fail',
  runId: '00000000-0000-4000-8000-000000000002',
  confirmRunId: null,
  reevaluationOf: null,
  counts: { pass: 1, fail: 1, inconclusive: 1, skipped: 0 },
  results: [
    { rule: 'latency.p90 ≤ 50ms', ruleIndex: 0, type: 'threshold', metric: 'latency.p90', device: null, observed: 12, baseline: null, threshold: 50, unit: 'ms', ci: null, pValue: null, status: 'pass', explanation: 'ok' },
    { rule: 'latency.p50 ≤ +5% | vs baseline', ruleIndex: 1, type: 'relative', metric: 'latency.p50', device: null, observed: 1.3, baseline: 1, threshold: 1.05, unit: null, ci: { lower: 1.2, upper: 1.4, confidence: 0.95 }, pValue: 0.001, status: 'fail', explanation: NASTY },
    { rule: 'coverage', ruleIndex: 2, type: 'coverage', metric: null, device: null, observed: null, baseline: null, threshold: null, unit: null, ci: null, pValue: null, status: 'inconclusive', explanation: `job failed:\n${NASTY}` },
  ],
  firstAttempt: null,
  approvals: [],
  ci: null,
  error: null,
  createdBy: 'ci',
  createdAt: '2026-01-01T10:00:00.000Z',
  finishedAt: '2026-01-01T10:01:30.500Z',
  evidenceUrl: 'https://edgeproof.example/v1/gates/00000000-0000-4000-8000-000000000001',
});

describe('JUnit report', () => {
  it('is well-formed XML whatever the job errors hold, with time attributes', () => {
    const xml = renderJunit(gate);
    expect(XMLValidator.validate(xml)).toBe(true);
    // no character XML 1.0 forbids, even escaped
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true }).parse(xml) as {
      testsuites: { time: string; tests: string; testsuite: { time: string; failures: string; errors: string; testcase: { name: string; time: string; failure?: { message: string }; error?: { message: string } }[] } };
    };
    expect(doc.testsuites).toMatchObject({ tests: '3', time: '90.500' });
    const suite = doc.testsuites.testsuite;
    expect(suite).toMatchObject({ time: '90.500', failures: '1', errors: '1' });
    expect(suite.testcase.map((c) => c.time)).toEqual(['0', '0', '0']);
    expect(suite.testcase[1]?.failure?.message).toContain('[31mboom');
    expect(suite.testcase[1]?.failure?.message).toContain('<b>&</b>');
    expect(suite.testcase[2]?.error?.message).toMatch(/^inconclusive: job failed:\ndevice said/);
  });
});

describe('Markdown summary', () => {
  it('keeps every row on one table line with pipes and markup escaped, so GitHub and GitLab render it alike', () => {
    const md = renderMarkdown(gate);
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows).toHaveLength(2 + 3);
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length - 2).toBe(5);
    expect(md).not.toMatch(/[\u0000-\u0008\u000B-\u001F]/);
    expect(md).toContain('&lt;b&gt;&amp;&lt;/b&gt;');
    expect(md).toContain('latency.p50 ≤ +5% \\| vs baseline');
    expect(md).toContain('### edgeproof gate: ❌ mnist 1.2.0 vs 1.1.0: FAIL');
    expect(md).toContain(`[Evidence](${gate.evidenceUrl})`);
  });
});
