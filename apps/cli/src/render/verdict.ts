import type { GateOut, RuleResult } from '@edgeproof/contracts';
import Table from 'cli-table3';

const MARK: Record<RuleResult['status'], string> = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE', skipped: 'skipped' };

export function deviceText(r: RuleResult): string {
  return r.device ? `${r.device.localKey} (${r.device.platform}, ${r.device.tier})` : '—';
}

export function observedText(r: RuleResult): string {
  if (r.observed === null) return 'n/a';
  const v = (x: number) => (Math.abs(x) >= 1000 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3));
  const ci = r.ci ? ` [${v(r.ci.lower)}, ${v(r.ci.upper)}]` : '';
  return `${v(r.observed)}${ci}${r.threshold !== null ? ` (limit ${v(r.threshold)})` : ''}`;
}

export function pText(p: number | null): string {
  if (p === null) return '';
  return p < 1e-4 ? '<1e-4' : p.toPrecision(2);
}

export function verdictLine(gate: GateOut): string {
  const c = gate.counts;
  const confirmed = gate.confirmRunId ? ' after one confirmation run' : '';
  return `${gate.model} ${gate.version}${gate.baseline ? ` vs ${gate.baseline}` : ''}: ${(gate.verdict ?? gate.status).toUpperCase()}${confirmed} — ${c.pass} passed, ${c.fail} failed, ${c.inconclusive} inconclusive, ${c.skipped} skipped (policy ${gate.policyName})`;
}

/** What the gate did about approval: approved its scope, or why a pass does not approve. */
export function approvalLine(gate: GateOut): string {
  if (gate.approvals.length) return `approved automatically for ${gate.scope.platform}/${gate.scope.tiers.join(',')}/${gate.scope.channel} (approval ${gate.approvals.join(', ')})`;
  if (!gate.approval.eligible) return `not approved automatically (${gate.approval.reason}): ${gate.approval.message}`;
  return gate.verdict === 'pass' ? 'passed; no approval recorded' : `a pass would approve automatically: ${gate.approval.message}`;
}

/** The verdict as a terminal table: one row per rule and device. */
export function renderVerdictTable(gate: GateOut): string {
  const table = new Table({ head: ['rule', 'device', 'observed [CI]', 'p', 'result', 'why'], wordWrap: true, colWidths: [28, 20, 26, 8, 14, 60] });
  for (const r of gate.results) {
    table.push([r.rule, deviceText(r), observedText(r), pText(r.pValue), MARK[r.status], r.explanation]);
  }
  const notPassed = gate.results.filter((r) => r.status === 'fail' || r.status === 'inconclusive');
  const lines = notPassed.map((r) => `${MARK[r.status]}: ${r.rule}${r.device ? ` on ${deviceText(r)}` : ''}: ${r.explanation}`);
  return [table.toString(), ...lines, verdictLine(gate), approvalLine(gate), `evidence: ${gate.evidenceUrl}`].join('\n');
}
