/**
 * Pure parser for what TFLite's `benchmark_model` prints (stdout and stderr together); no I/O here.
 *
 * Formats seen across versions (fixtures in test/fixtures/benchmark-model/ say where each came from):
 * - summary: "Inference timings in us: Init: I, First inference: F, Warmup (avg): W, Inference (avg): A" (TF 2.x), or
 *   the oldest "Average inference timings in us: Warmup: W, Init: I, Inference: A" (no first inference);
 * - runs: "count=N first=F curr=C min=m max=M avg=A std=S", with " p5=… median=… p95=…" in recent builds, or the
 *   single-value forms "count=1 curr=C" / "count=N curr=C(all same)" / "count=0";
 * - memory: "Peak memory footprint (MB): init=… overall=…" (TF 2.3/2.4), later "Memory footprint delta from the start
 *   of the tool (MB): init=… overall=…" (both are deltas of the process's max RSS), and with
 *   --report_peak_memory_footprint "Overall peak memory footprint (MB) via periodic monitoring: P";
 * - op profile (--enable_op_profiling): "Run Order" and "Summary by node type" tables, tab or space aligned, with or
 *   without the [start] column, under "Operator-wise Profiling Info for Regular Benchmark Runs:" (older tools print
 *   the tables without that header and without an initialization profile).
 * Lines may carry an "INFO: " / "WARN: " / "ERROR: " / "VERBOSE: " prefix.
 */
import type { OpProfile, OpProfileNodeType, OpProfileRow } from '@edgeproof/contracts';

export interface RunStats {
  count: number;
  firstUs: number | null;
  currUs: number | null;
  minUs: number | null;
  maxUs: number | null;
  avgUs: number | null;
  stdUs: number | null;
  p5Us: number | null;
  medianUs: number | null;
  p95Us: number | null;
}

export interface AppliedDelegate {
  /** as the tool names it: "GPU", "NNAPI", "XNNPACK", "Hexagon", ... */
  name: string;
  coverage: 'full' | 'partial' | 'none';
  delegateKernels: number | null;
}

export interface BenchmarkModelOutput {
  summaryFormat: 'inference-timings' | 'average-timings' | null;
  initUs: number | null;
  firstInferenceUs: number | null;
  warmupAvgUs: number | null;
  inferenceAvgUs: number | null;
  warmup: RunStats | null;
  inference: RunStats | null;
  modelSizeMb: number | null;
  memory: { initDeltaMb: number | null; overallDeltaMb: number | null; peakMb: number | null; endVmRssMb: number | null };
  /** delegates the tool created, upper-case as printed ("GPU", "NNAPI", "XNNPACK") */
  createdDelegates: string[];
  appliedDelegates: AppliedDelegate[];
  /** "Replacing R out of T node(s) with delegate (TfLiteGpuDelegateV2) node, yielding P partitions" */
  replacedNodes: { kernel: string; replaced: number; total: number | null; partitions: number | null }[];
  failedDelegates: string[];
  unconsumedFlags: string[];
  /** ERROR lines and the tool's own failure lines, in order */
  errors: string[];
  benchmarkingFailed: boolean;
  opProfile: OpProfile | null;
}

const NUM = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
const PCT = String.raw`(?:${NUM}|-?nan|-?inf)`;
const PREFIX = /^(?:(INFO|WARN|WARNING|ERROR|VERBOSE|DEBUG):\s?)/;

function num(text: string | undefined): number | null {
  if (text === undefined) return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

/** "count=50 first=… curr=… …" → the run's statistics, or null when the line is no such line. */
export function parseRunStats(line: string): RunStats | null {
  const m = /^count=(\d+)\b(.*)$/.exec(line.trim());
  if (!m?.[1]) return null;
  const fields: Record<string, string> = {};
  for (const f of (m[2] ?? '').matchAll(new RegExp(String.raw`(\w+)=(${NUM}|-?nan)`, 'g'))) if (f[1] && f[2]) fields[f[1]] = f[2];
  const count = Number(m[1]);
  const curr = num(fields['curr']);
  // "count=1 curr=C" and "count=N curr=C(all same)": every run took C
  const same = count > 0 && fields['min'] === undefined && curr !== null;
  return {
    count,
    firstUs: num(fields['first']) ?? (same ? curr : null),
    currUs: curr,
    minUs: num(fields['min']) ?? (same ? curr : null),
    maxUs: num(fields['max']) ?? (same ? curr : null),
    avgUs: num(fields['avg']) ?? (same ? curr : null),
    stdUs: num(fields['std']) ?? (same ? 0 : null),
    p5Us: num(fields['p5']),
    medianUs: num(fields['median']),
    p95Us: num(fields['p95']),
  };
}

/** "Key: value, Key: value" after the summary line's colon. */
function pairs(text: string): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const part of text.split(',')) {
    const i = part.lastIndexOf(':');
    if (i > 0) out[part.slice(0, i).trim()] = num(part.slice(i + 1).trim());
  }
  return out;
}

type Table = 'run-order' | 'by-node-type' | 'other';

const ROW_WITH_START = new RegExp(String.raw`^\s*(.+?)\s+(${NUM})\s+(${NUM})\s+(${NUM})\s+(${PCT})%\s+(${PCT})%\s+(${NUM})\s+(\d+)\s+(.*?)\s*$`);
const ROW_NO_START = new RegExp(String.raw`^\s*(.+?)\s+(${NUM})\s+(${NUM})\s+(${PCT})%\s+(${PCT})%\s+(${NUM})\s+(\d+)\s+(.*?)\s*$`);
const TYPE_ROW = new RegExp(String.raw`^\s*(.+?)\s+(\d+)\s+(${NUM})\s+(${PCT})%\s+(${PCT})%\s+(${NUM})\s+(\d+)\s*$`);

function opRow(line: string, withStart: boolean, graph: string): OpProfileRow | null {
  const m = (withStart ? ROW_WITH_START : ROW_NO_START).exec(line);
  if (!m) return null;
  const g = withStart ? m.slice(1) : [m[1], null, ...m.slice(2)];
  return {
    nodeType: String(g[0]).trim(),
    name: String(g[8]),
    graph,
    startMs: num(g[1] ?? undefined),
    firstMs: num(g[2] ?? undefined) ?? 0,
    avgMs: num(g[3] ?? undefined) ?? 0,
    percent: num(g[4] ?? undefined),
    cdfPercent: num(g[5] ?? undefined),
    memKb: num(g[6] ?? undefined) ?? 0,
    timesCalled: Number(g[7]),
  };
}

function typeRow(line: string, graph: string): OpProfileNodeType | null {
  const m = TYPE_ROW.exec(line);
  if (!m) return null;
  return {
    nodeType: String(m[1]).trim(),
    graph,
    count: Number(m[2]),
    avgMs: num(m[3]) ?? 0,
    percent: num(m[4]),
    cdfPercent: num(m[5]),
    memKb: num(m[6]) ?? 0,
    timesCalled: Number(m[7]),
  };
}

const pushIf = <T>(list: T[], item: T | null): void => void (item && list.push(item));

const MAX_ROWS = 5000;
const MAX_TYPES = 1000;

/** Everything this module knows how to read from one benchmark_model run's output. */
export function parseBenchmarkModel(output: string): BenchmarkModelOutput {
  const out: BenchmarkModelOutput = {
    summaryFormat: null,
    initUs: null,
    firstInferenceUs: null,
    warmupAvgUs: null,
    inferenceAvgUs: null,
    warmup: null,
    inference: null,
    modelSizeMb: null,
    memory: { initDeltaMb: null, overallDeltaMb: null, peakMb: null, endVmRssMb: null },
    createdDelegates: [],
    appliedDelegates: [],
    replacedNodes: [],
    failedDelegates: [],
    unconsumedFlags: [],
    errors: [],
    benchmarkingFailed: false,
    opProfile: null,
  };
  const rows: OpProfileRow[] = [];
  const types: OpProfileNodeType[] = [];
  let profileRuns: number | null = null;
  let sawRegularHeader = false;
  let context: 'init' | 'regular' | null = null;
  let graph = 'primary';
  let table: Table | null = null;
  let withStart = false;
  let expectHeader = false;
  const marked: ('warmup' | 'inference')[] = [];
  let announced = 0;
  const unmarked: RunStats[] = [];

  for (const raw of output.split(/\r?\n/)) {
    const level = PREFIX.exec(raw)?.[1];
    const line = raw.replace(PREFIX, '').replace(/\s+$/, '');
    const t = line.trim();
    if (level === 'ERROR' && t) out.errors.push(t);

    if (/^Profiling Info for Benchmark Initialization:/.test(t)) [context, graph, table] = ['init', 'primary', null];
    else if (/^Operator-wise Profiling Info for Regular Benchmark Runs:/.test(t)) [context, graph, table, sawRegularHeader] = ['regular', 'primary', null, true];
    const sub = /^(?:Primary graph|Subgraph \(index: (\d+)\)) (?:profile|summary):$/.exec(t);
    if (sub) [graph, table] = [sub[1] ? `subgraph ${sub[1]}` : 'primary', null];
    if (/^Delegate internal:\s*$/.test(t)) [graph, table] = ['delegate internal', null];

    const title = /^=+ (Run Order|Top by Computation Time|Top by Memory Use|Summary by node type) =+$/.exec(t)?.[1];
    if (title) {
      table = title === 'Run Order' ? 'run-order' : title === 'Summary by node type' ? 'by-node-type' : 'other';
      expectHeader = true;
      continue;
    }
    if (table && expectHeader) {
      withStart = /\[start\]/.test(t);
      expectHeader = false;
      continue;
    }
    // op tables end at a blank line; older tools print the tables with no "Operator-wise" header (and no init profile)
    const profiling = context === 'regular' || (context === null && !sawRegularHeader);
    if (table) {
      if (!t) table = null;
      else if (profiling && table === 'run-order' && rows.length < MAX_ROWS) pushIf(rows, opRow(line, withStart, graph));
      else if (profiling && table === 'by-node-type' && types.length < MAX_TYPES) pushIf(types, typeRow(line, graph));
      continue;
    }
    const timings = /^(Subgraph \(index: \d+\) )?Timings \(microseconds\): (count=.*)$/.exec(t);
    if (timings) {
      if (profiling && !timings[1] && graph === 'primary') profileRuns = parseRunStats(timings[2] ?? '')?.count ?? null;
      continue;
    }

    // the tool runs warmup first, then the measured runs, each announced by this line
    if (/^Running benchmark for at least \d+ iterations/.test(t)) {
      marked.push(announced++ === 0 ? 'warmup' : 'inference');
      continue;
    }
    const stats = parseRunStats(t);
    if (stats) {
      const which = marked.shift();
      if (which === 'warmup') out.warmup = stats;
      else if (which === 'inference') out.inference = stats;
      else unmarked.push(stats);
      continue;
    }

    let m: RegExpExecArray | null;
    if ((m = /^Inference timings in us: (.*)$/.exec(t))) {
      const p = pairs(m[1] ?? '');
      out.summaryFormat = 'inference-timings';
      out.initUs = p['Init'] ?? null;
      out.firstInferenceUs = p['First inference'] ?? null;
      out.warmupAvgUs = p['Warmup (avg)'] ?? null;
      out.inferenceAvgUs = p['Inference (avg)'] ?? null;
    } else if ((m = /^Average inference timings in us: (.*)$/.exec(t))) {
      const p = pairs(m[1] ?? '');
      out.summaryFormat = 'average-timings';
      out.initUs = p['Init'] ?? null;
      out.warmupAvgUs = p['Warmup'] ?? null;
      out.inferenceAvgUs = p['Inference'] ?? p['no stats'] ?? null;
    } else if ((m = /^(?:Peak memory footprint|Memory footprint delta from the start of the tool) \(MB\): init=(\S+) overall=(\S+)$/.exec(t))) {
      out.memory.initDeltaMb = num(m[1]);
      out.memory.overallDeltaMb = num(m[2]);
    } else if ((m = /^Overall peak memory footprint \(MB\) via periodic monitoring: (\S+)$/.exec(t))) {
      out.memory.peakMb = num(m[1]);
    } else if ((m = /^- VmRSS\s*: (\d+) MB$/.exec(t))) {
      out.memory.endVmRssMb = num(m[1]);
    } else if ((m = /^The input model file size \(MB\): (\S+)$/.exec(t))) {
      out.modelSizeMb = num(m[1]);
    } else if ((m = /^Created TensorFlow Lite delegate for (\w+)\.$/.exec(t)) || (m = /^Created TensorFlow Lite (\w+) delegate for CPU\.$/.exec(t)) || (m = /^(\w+) delegate created\.$/.exec(t))) {
      const name = (m[1] ?? '').toUpperCase();
      if (!out.createdDelegates.includes(name)) out.createdDelegates.push(name);
    } else if ((m = /^Explicitly applied (\w+) delegate, and the model graph will be (completely|partially) executed by the delegate(?: w\/ (\d+) delegate kernels)?\.$/.exec(t))) {
      out.appliedDelegates.push({ name: m[1] ?? '', coverage: m[2] === 'completely' ? 'full' : 'partial', delegateKernels: num(m[3]) });
    } else if ((m = /^Though (\w+) delegate is explicitly applied, the model graph will not be executed by the delegate\.$/.exec(t))) {
      out.appliedDelegates.push({ name: m[1] ?? '', coverage: 'none', delegateKernels: 0 });
    } else if ((m = /^Replacing (\d+) (?:out of (\d+) )?node\(s\) with delegate \((\w+)\) node, yielding (\d+) partitions/.exec(t))) {
      out.replacedNodes.push({ kernel: m[3] ?? '', replaced: Number(m[1]), total: num(m[2]), partitions: num(m[4]) });
    } else if ((m = /^Unconsumed cmdline flags: (.*)$/.exec(t))) {
      out.unconsumedFlags.push(...(m[1] ?? '').split(/\s+/).filter(Boolean));
    } else if ((m = /^Failed to (?:apply|create) (\w+) delegate\.?$/.exec(t))) {
      out.failedDelegates.push(m[1] ?? '');
      if (level !== 'ERROR') out.errors.push(t);
    } else if (/^Benchmarking failed\.?$/.test(t)) {
      out.benchmarkingFailed = true;
      if (level !== 'ERROR') out.errors.push(t);
    } else if (level !== 'ERROR' && /^(Failed to |Disallowed CPU fallback|Please specify the name of your TF Lite input file|Didn't find op for builtin opcode|Encountered unresolved custom op|Cannot find the corresponding input_layer)/.test(t)) {
      out.errors.push(t);
    }
  }

  // a pasted or trimmed output may lack the "Running benchmark" lines: a runs line belongs where its average matches
  for (const s of unmarked) {
    if (out.inference === null && s.avgUs !== null && s.avgUs === out.inferenceAvgUs) out.inference = s;
    else if (out.warmup === null && s.avgUs !== null && s.avgUs === out.warmupAvgUs) out.warmup = s;
  }
  if (out.firstInferenceUs === null && out.warmup?.firstUs != null) out.firstInferenceUs = out.warmup.firstUs;
  if (rows.length || types.length) out.opProfile = { source: 'benchmark_model --enable_op_profiling', runs: profileRuns, rows, byNodeType: types };
  return out;
}
