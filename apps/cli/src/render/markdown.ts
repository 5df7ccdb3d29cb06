import type { GateOut, RuleResult } from '@edgeproof/contracts';
import { approvalLine, deviceText, observedText, verdictLine } from './verdict.ts';

const ICON: Record<RuleResult['status'], string> = { pass: '✅ pass', fail: '❌ fail', inconclusive: '⚠️ inconclusive', skipped: '➖ skipped' };
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A Markdown summary for a pull-request comment. */
export function renderMarkdown(gate: GateOut): string {
  const rows = gate.results.map((r) => `| ${cell(r.rule)} | ${cell(deviceText(r))} | ${cell(observedText(r))} | ${ICON[r.status]} | ${cell(r.explanation)} |`);
  return [
    `### edgeproof gate: ${gate.verdict === 'pass' ? '✅' : gate.verdict === 'fail' ? '❌' : '⚠️'} ${cell(verdictLine(gate))}`,
    '',
    '| rule | device | observed [CI] | result | why |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    cell(approvalLine(gate)),
    '',
    `[Evidence](${gate.evidenceUrl}) · run \`${gate.runId}\`${gate.confirmRunId ? ` · confirmation run \`${gate.confirmRunId}\`` : ''}${gate.ci?.commit ? ` · commit \`${gate.ci.commit.slice(0, 12)}\`` : ''}`,
    '',
  ].join('\n');
}
