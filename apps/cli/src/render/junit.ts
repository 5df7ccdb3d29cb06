import type { GateOut } from '@edgeproof/contracts';
import { deviceText } from './verdict.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** JUnit XML: one test case per rule and device; fail → <failure>, inconclusive → <error>, skipped → <skipped>. */
export function renderJunit(gate: GateOut): string {
  const c = gate.counts;
  const cases = gate.results.map((r) => {
    const name = esc(`${r.rule}${r.device ? ` @ ${deviceText(r)}` : ''}`);
    const body =
      r.status === 'fail'
        ? `<failure message="${esc(r.explanation)}" type="gate-rule">${esc(r.explanation)}</failure>`
        : r.status === 'inconclusive'
          ? `<error message="${esc(`inconclusive: ${r.explanation}`)}" type="inconclusive">${esc(r.explanation)}</error>`
          : r.status === 'skipped'
            ? `<skipped message="${esc(r.explanation)}"/>`
            : `<system-out>${esc(r.explanation)}</system-out>`;
    return `    <testcase classname="edgeproof.${esc(gate.model)}.rule${r.ruleIndex}" name="${name}">${body}</testcase>`;
  });
  const suite = esc(`edgeproof gate ${gate.model} ${gate.version}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="edgeproof" tests="${gate.results.length}" failures="${c.fail}" errors="${c.inconclusive}" skipped="${c.skipped}">`,
    `  <testsuite name="${suite}" tests="${gate.results.length}" failures="${c.fail}" errors="${c.inconclusive}" skipped="${c.skipped}" timestamp="${gate.createdAt}">`,
    `    <properties><property name="verdict" value="${gate.verdict ?? gate.status}"/><property name="evidence" value="${esc(gate.evidenceUrl)}"/></properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
