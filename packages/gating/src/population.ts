import { PopulationEntry, type MappingMatch, type PopulationMappingOut, type PopulationMappingRow } from '@edgeproof/contracts';
import { parse } from 'csv-parse/sync';

/** A population file that does not parse; the message names the row and column. */
export class PopulationError extends Error {
  override name = 'PopulationError';
}

/**
 * Reads a CSV with a header row naming at least `model` and `share` (optionally `maker`, `soc`,
 * `tier`). Shares may be fractions, counts or percentages ("12.5%").
 */
export function parsePopulationCsv(text: string): PopulationEntry[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    throw new PopulationError(`csv: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (rows.length === 0) throw new PopulationError('csv: no rows after the header');
  const first = rows[0] as Record<string, string>;
  for (const col of ['model', 'share']) {
    if (!(col in first)) throw new PopulationError(`csv: the header has no "${col}" column (found: ${Object.keys(first).join(', ')})`);
  }
  return rows.map((row, i) => {
    const shareText = (row.share ?? '').replace(/%$/, '');
    const share = Number(shareText);
    const candidate = {
      model: row.model,
      share,
      ...(row.maker ? { maker: row.maker } : {}),
      ...(row.soc ? { soc: row.soc } : {}),
      ...(row.tier ? { tier: row.tier } : {}),
    };
    const parsed = PopulationEntry.safeParse(candidate);
    if (!parsed.success || shareText === '') {
      const issue = parsed.success ? { path: ['share'], message: 'expected a number' } : parsed.error.issues[0];
      throw new PopulationError(`csv row ${i + 2}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
  });
}

export interface LabDevice {
  id: string;
  localKey: string;
  model: string | null;
  soc: string | null;
  tier: 'low' | 'mid' | 'high';
}

const norm = (s: string | null | undefined) => (s ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');

/** The closest lab device for one population entry: same model, else same SoC, else same tier. */
export function closestDevice<D extends LabDevice>(entry: PopulationEntry, devices: readonly D[]): { match: MappingMatch; device: D | null } {
  const model = norm(entry.model);
  const byModel = devices.find((d) => model !== '' && norm(d.model) === model);
  if (byModel) return { match: 'model', device: byModel };
  const soc = norm(entry.soc);
  const bySoc = soc ? devices.find((d) => norm(d.soc) === soc) : undefined;
  if (bySoc) return { match: 'soc', device: bySoc };
  const byTier = entry.tier ? devices.find((d) => d.tier === entry.tier) : undefined;
  if (byTier) return { match: 'tier', device: byTier };
  return { match: 'unmapped', device: null };
}

/** Maps every entry of a population to lab devices, with the shares per kind of match. */
export function mapPopulation(name: string, entries: readonly PopulationEntry[], devices: readonly LabDevice[]): PopulationMappingOut {
  const total = entries.reduce((s, e) => s + e.share, 0);
  const byMatch: Record<MappingMatch, number> = { model: 0, soc: 0, tier: 0, unmapped: 0 };
  const rows: PopulationMappingRow[] = entries.map((entry) => {
    const { match, device } = closestDevice(entry, devices);
    const normalizedShare = total > 0 ? entry.share / total : 0;
    byMatch[match] += normalizedShare;
    return {
      entry,
      normalizedShare,
      match,
      device: device ? { id: device.id, localKey: device.localKey, model: device.model, soc: device.soc, tier: device.tier } : null,
    };
  });
  return { name, rows, mappedShare: 1 - byMatch.unmapped - (total > 0 ? 0 : 1), unmappedShare: total > 0 ? byMatch.unmapped : 0, byMatch };
}
