export { parsePolicy, PolicyError, formatPath, MAX_POLICY_SOURCE_CHARS, type PolicyIssue } from './policy-file.ts';
export { evaluateGate, needsConfirmation, type GateDecision } from './evaluate.ts';
export type { GateEvidence, EvidenceDevice, Measurement, ModelFacts } from './evidence.ts';
export { contentionOf } from './evidence.ts';
export { resolveMetric, valuesAt, formatValue, benchmarkOf } from './resolve.ts';
export { parsePopulationCsv, mapPopulation, closestDevice, PopulationError, type LabDevice } from './population.ts';
