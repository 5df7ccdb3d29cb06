import type { OpProfile } from '@edgeproof/contracts';

export interface OpProfileView {
  /** runs the profiler averaged over, when it said */
  runs: number | null;
  /** the slowest operators first, at most `limit` */
  slowest: OpProfile['rows'];
  /** rows not shown in `slowest` */
  hidden: number;
  /** node types by their share of a run, slowest first */
  byNodeType: OpProfile['byNodeType'];
}

/** What the run page shows of an op profile: the primary graph's slowest operators and every node type. */
export function opProfileView(profile: OpProfile, limit = 15): OpProfileView {
  const primary = profile.rows.filter((r) => r.graph === 'primary');
  const slowest = [...primary].sort((a, b) => b.avgMs * Math.max(1, b.timesCalled) - a.avgMs * Math.max(1, a.timesCalled)).slice(0, limit);
  const byNodeType = profile.byNodeType.filter((t) => t.graph === 'primary').sort((a, b) => b.avgMs - a.avgMs);
  return { runs: profile.runs, slowest, hidden: primary.length - slowest.length, byNodeType };
}
