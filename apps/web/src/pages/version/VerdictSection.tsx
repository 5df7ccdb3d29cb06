import type { GateDetail } from '@edgeproof/contracts';
import { VerdictBadge } from '../../components/Badges.tsx';
import { formatValue } from '../../shaping/format.ts';

export function VerdictSection({ gate }: { gate: GateDetail | null }) {
  return (
    <>
      <h2>Verdict</h2>
      {!gate ? (
        <p className="state empty">No gate has evaluated this version (run `edgeproof gate` or POST /v1/gates).</p>
      ) : (
        <div data-testid="verdict">
          <p>
            <VerdictBadge verdict={gate.verdict} /> policy <strong>{gate.policyName}</strong> · scope {gate.scope.platform}/{gate.scope.tiers.join(',')}/{gate.scope.channel}
            {gate.baseline ? ` · baseline ${gate.baseline}` : ''} · {gate.status} · {new Date(gate.createdAt).toLocaleString()}
          </p>
          {gate.error && <p className="state error">{gate.error}</p>}
          <table>
            <thead>
              <tr>
                <th>rule</th>
                <th>device</th>
                <th>status</th>
                <th>observed</th>
                <th>threshold</th>
                <th>explanation</th>
              </tr>
            </thead>
            <tbody>
              {gate.results.map((r, i) => (
                <tr key={i}>
                  <td>{r.rule}</td>
                  <td>{r.device ? `${r.device.model ?? r.device.localKey} · ${r.device.tier}` : 'model'}</td>
                  <td>
                    <VerdictBadge verdict={r.status} />
                  </td>
                  <td>{r.observed === null ? '—' : formatValue(r.observed, r.unit ?? '')}</td>
                  <td>{r.threshold === null ? '—' : formatValue(r.threshold, r.unit ?? '')}</td>
                  <td>{r.explanation}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
