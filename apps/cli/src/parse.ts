import { BenchmarkKind, DeviceSelector, type RunCreateInput } from '@edgeproof/contracts';
import { z } from 'zod';
import { CliError } from './context.ts';

/** "batch=1,height=224" → { batch: 1, height: 224 } */
export function parseDims(text: string): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m?.[1] || !m[2]) throw new CliError(`--dims: "${part}" is not name=positive-integer (e.g. batch=1)`);
    dims[m[1]] = Number(m[2]);
  }
  return dims;
}

const SELECTOR_KEYS = ['platform', 'tier', 'tag', 'runtime', 'model', 'team', 'id', 'pick'] as const;

/**
 * "platform=android,tier=low,tier=mid,tag=pixel" → a device selector. `tier`, `tag` and `id` may
 * repeat (or take a|b); `pick` is all or one-per-tier (default one-per-tier: one device per tier).
 */
export function parseDevices(text: string | undefined): RunCreateInput['devices'] {
  const sel: { platform?: string; tiers?: string[]; tags?: string[]; runtime?: string; model?: string; team?: string; ids?: string[]; pick?: string } = {};
  for (const part of (text ?? '').split(',').filter((p) => p.trim() !== '')) {
    const m = /^\s*([a-z]+)s?\s*=\s*(.+?)\s*$/.exec(part);
    const key = m?.[1] as (typeof SELECTOR_KEYS)[number] | undefined;
    const value = m?.[2];
    if (!key || !value || !SELECTOR_KEYS.includes(key)) throw new CliError(`--devices: "${part}" is not key=value with key one of ${SELECTOR_KEYS.join(', ')}`);
    const values = value.split('|');
    if (key === 'tier') sel.tiers = [...(sel.tiers ?? []), ...values];
    else if (key === 'tag') sel.tags = [...(sel.tags ?? []), ...values];
    else if (key === 'id') sel.ids = [...(sel.ids ?? []), ...values];
    else sel[key] = value;
  }
  if (!sel.ids) sel.pick ??= 'one-per-tier';
  const parsed = DeviceSelector.safeParse(sel);
  if (!parsed.success) throw new CliError(`--devices: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
  return sel as RunCreateInput['devices'];
}

export function parseBenchmarks(text: string): RunCreateInput['benchmarks'] {
  const list = text.split(',').map((b) => b.trim()).filter(Boolean);
  const parsed = z.array(BenchmarkKind.exclude(['feature'])).min(1).safeParse(list);
  if (!parsed.success) throw new CliError(`--benchmarks: "${text}": expected a comma-separated list of latency, accuracy, parity`);
  return parsed.data;
}

/** "mnist-test@1" → { name, version } */
export function parseDataset(text: string): { name: string; version: string } {
  const m = /^([^@\s]+)@([^@\s]+)$/.exec(text.trim());
  if (!m?.[1] || !m[2]) throw new CliError(`--dataset: "${text}" is not name@version`);
  return { name: m[1], version: m[2] };
}

/** --settings: a JSON object of run settings (README "Runs"), merged under --threads / --dims. */
export function parseSettings(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`--settings: not JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('--settings: expected a JSON object, e.g. {"measureMinRuns": 100}');
  return value as Record<string, unknown>;
}

