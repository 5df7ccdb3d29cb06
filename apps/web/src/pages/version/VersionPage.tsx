import { Link, useParams, useSearchParams } from 'react-router';
import { useVersionPage } from '../../api/queries.ts';
import { QueryState } from '../../components/States.tsx';
import { formatBytes } from '../../shaping/format.ts';
import { ApprovalPanel } from './ApprovalPanel.tsx';
import { ComparisonSection } from './ComparisonSection.tsx';
import { DeviceTable } from './DeviceTable.tsx';
import { DistributionCharts } from './DistributionCharts.tsx';
import { DownloadButton } from './DownloadButton.tsx';
import { RuntimesTable } from './RuntimesTable.tsx';
import { VerdictSection } from './VerdictSection.tsx';

export function VersionPage() {
  const { name = '', version = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const run = search.get('run');
  const page = useVersionPage(name, version, run);
  return (
    <section>
      <h1>
        <Link to="/">Models</Link> / {name} / <span data-testid="version-title">{version}</span>
      </h1>
      <DistributionCharts model={name} version={version} run={run} />
      <QueryState query={page} what="this model version">
        {(p) => (
          <>
            <dl className="facts">
              <dt>format</dt>
              <dd>{p.version.format}</dd>
              <dt>size</dt>
              <dd>{formatBytes(p.version.sizeBytes)}</dd>
              <dt>gzip size</dt>
              <dd>{formatBytes(p.version.gzipSizeBytes)}</dd>
              <dt>sha256</dt>
              <dd className="mono">{p.version.sha256.slice(0, 16)}…</dd>
              <dt>uploaded</dt>
              <dd>
                {new Date(p.version.createdAt).toLocaleString()} by {p.version.createdBy}
              </dd>
              {p.version.gitCommit && (
                <>
                  <dt>commit</dt>
                  <dd className="mono">{p.version.gitCommit}</dd>
                </>
              )}
            </dl>
            <DownloadButton model={name} version={version} />
            <ApprovalPanel page={p} />
            <h2>Run</h2>
            {p.runs.length === 0 ? (
              <p className="state empty">This version has not been measured yet.</p>
            ) : (
              <p>
                Figures from run{' '}
                <select aria-label="run" value={p.run?.id ?? ''} onChange={(e) => setSearch({ run: e.target.value })}>
                  {p.runs.map((r) => (
                    <option key={r.id} value={r.id}>
                      {new Date(r.createdAt).toLocaleString()} · {r.status}
                      {r.baseline ? ` · vs ${r.baseline}` : ''}
                    </option>
                  ))}
                </select>{' '}
                {p.run && <Link to={`/runs/${p.run.id}`}>live progress</Link>}
              </p>
            )}
            <DeviceTable page={p} />
            <RuntimesTable page={p} />
            <VerdictSection gate={p.gate} />
            {p.run?.baseline && <ComparisonSection model={name} version={version} run={run} />}
          </>
        )}
      </QueryState>
    </section>
  );
}
