import type {
  DashApprovals,
  DashDevices,
  DashModels,
  FeatureEvaluationDetail,
  FeatureEvaluationList,
  LatencyDistributions,
  RunProgress,
  TrendMetric,
  Trends,
  VersionComparison,
  VersionPage,
} from '@edgeproof/contracts';
import { useQuery } from '@tanstack/react-query';
import { api, enc } from './client.ts';

const versionPath = (model: string, version: string) => `/v1/dashboard/models/${enc(model)}/versions/${enc(version)}`;
const runQuery = (run: string | null) => (run ? `?run=${enc(run)}` : '');

export const useModels = () => useQuery({ queryKey: ['models'], queryFn: () => api<DashModels>('/v1/dashboard/models') });

export const useVersionPage = (model: string, version: string, run: string | null) =>
  useQuery({ queryKey: ['version', model, version, run], queryFn: () => api<VersionPage>(`${versionPath(model, version)}${runQuery(run)}`) });

export const useDistributions = (model: string, version: string, run: string | null) =>
  useQuery({
    queryKey: ['distributions', model, version, run],
    queryFn: () => api<LatencyDistributions>(`${versionPath(model, version)}/latency-distributions${runQuery(run)}`),
  });

export const useComparison = (model: string, version: string, run: string | null) =>
  useQuery({ queryKey: ['comparison', model, version, run], queryFn: () => api<VersionComparison>(`${versionPath(model, version)}/comparison${runQuery(run)}`) });

export const useTrends = (model: string, metric: TrendMetric) =>
  useQuery({ queryKey: ['trends', model, metric], queryFn: () => api<Trends>(`/v1/dashboard/models/${enc(model)}/trends?metric=${enc(metric)}`), enabled: model !== '' });

/** polls every 1.5 s until the run is finished */
export const useRunProgress = (id: string) =>
  useQuery({
    queryKey: ['run', id],
    queryFn: () => api<RunProgress>(`/v1/dashboard/runs/${enc(id)}`),
    refetchInterval: (q) => (q.state.data && ['succeeded', 'failed', 'partial', 'cancelled'].includes(q.state.data.run.status) ? false : 1500),
  });

export const useDevices = () => useQuery({ queryKey: ['devices'], queryFn: () => api<DashDevices>('/v1/dashboard/devices'), refetchInterval: 10_000 });

export const useApprovals = (model: string | null) =>
  useQuery({ queryKey: ['approvals', model], queryFn: () => api<DashApprovals>(`/v1/dashboard/approvals${model ? `?model=${enc(model)}` : ''}`) });

export const useFeatureEvaluations = () => useQuery({ queryKey: ['features'], queryFn: () => api<FeatureEvaluationList>('/v1/dashboard/feature-evaluations') });

export const useFeatureEvaluation = (job: string | null) =>
  useQuery({ queryKey: ['feature', job], queryFn: () => api<FeatureEvaluationDetail>(`/v1/dashboard/feature-evaluations/${enc(job ?? '')}`), enabled: job !== null });
