import type { GateOut, RuleResult } from '@edgeproof/contracts';
import { markdownCell as cell } from './text.ts';
import { approvalLine, deviceText, observedText, verdictLine } from './verdict.ts';

const ICON: Record<RuleResult['status'], string> = { pass: '✅ pass', fail: '❌ fail', inconclusive: '⚠️ inconclusive', skipped: '➖ skipped' };

/**
 * A Markdown summary for a pull-request comment or a job summary: plain CommonMark tables, Unicode
 * emoji and escaped cells only, so GitHub and GitLab render it the same.
 */
export function renderMarkdown(gate: GateOut): string {
  const rows = gate.results.map((r) => `| ${cell(r.rule)} | ${cell(deviceText(r))} | ${cell(observedText(r))} | ${ICON[r.status]} | ${cell(r.explanation)} |`);
  const links = [
    gate.evidenceUrl.startsWith('http') ? `[Evidence](${gate.evidenceUrl})` : `evidence ${cell(gate.evidenceUrl)}`,
    `run \`${gate.runId}\``,
    ...(gate.confirmRunId ? [`confirmation run \`${gate.confirmRunId}\``] : []),
    ...(gate.ci?.commit ? [`commit \`${cell(gate.ci.commit.slice(0, 12))}\``] : []),
  ];
  return [
    `### edgeproof gate: ${gate.verdict === 'pass' ? '✅' : gate.verdict === 'fail' ? '❌' : '⚠️'} ${cell(verdictLine(gate))}`,
    '',
    ...(rows.length ? ['| rule | device | observed [CI] | result | why |', '| --- | --- | --- | --- | --- |', ...rows] : ['_no rule results_']),
    '',
    ...(gate.error ? [`**error:** ${cell(gate.error)}`, ''] : []),
    cell(approvalLine(gate)),
    '',
    links.join(' · '),
    '',
  ].join('\n');
}
