import type { GateOut } from '@edgeproof/contracts';
import { xmlText as esc } from './text.ts';
import { deviceText } from './verdict.ts';

/** seconds between two instants, as JUnit's `time` wants it */
function seconds(from: string, to: string | null): string {
  const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms / 1000).toFixed(3) : '0';
}

/**
 * JUnit XML: one test case per rule and device; fail → <failure>, inconclusive → <error>, skipped →
 * <skipped>. The suite's time is the gate's (start to verdict); a rule is decided from stored
 * measurements, so a case takes no time of its own.
 */
export function renderJunit(gate: GateOut): string {
  const c = gate.counts;
  const time = seconds(gate.createdAt, gate.finishedAt);
  const cases = gate.results.map((r) => {
    const name = esc(`${r.rule}${r.device ? ` @ ${deviceText(r)}` : ''}`);
    const why = esc(r.explanation);
    const body =
      r.status === 'fail'
        ? `<failure message="${why}" type="gate-rule">${why}</failure>`
        : r.status === 'inconclusive'
          ? `<error message="${esc(`inconclusive: ${r.explanation}`)}" type="inconclusive">${why}</error>`
          : r.status === 'skipped'
            ? `<skipped message="${why}"/>`
            : `<system-out>${why}</system-out>`;
    return `    <testcase classname="edgeproof.${esc(gate.model)}.rule${r.ruleIndex}" name="${name}" time="0">${body}</testcase>`;
  });
  const counts = `tests="${gate.results.length}" failures="${c.fail}" errors="${c.inconclusive}" skipped="${c.skipped}" time="${time}"`;
  const props = [
    ['verdict', gate.verdict ?? gate.status],
    ['evidence', gate.evidenceUrl],
    ...(gate.error ? [['error', gate.error]] : []),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="edgeproof" ${counts}>`,
    `  <testsuite name="${esc(`edgeproof gate ${gate.model} ${gate.version}`)}" ${counts} timestamp="${esc(gate.createdAt)}">`,
    `    <properties>${props.map(([k, v]) => `<property name="${k}" value="${esc(v ?? '')}"/>`).join('')}</properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
