import { z } from 'zod';
import { DeviceTier, Slug } from './common.ts';

/** One row of a device population: a phone (or browser) model and the share of users on it. */
export const PopulationEntry = z.strictObject({
  /** device model as analytics reports it, e.g. "SM-A515F" or "Pixel 7" */
  model: z.string().min(1).max(200),
  /** share of users, any non-negative scale (normalised over the file) */
  share: z.number().nonnegative(),
  maker: z.string().max(200).optional(),
  soc: z.string().max(200).optional(),
  tier: DeviceTier.optional(),
});
export type PopulationEntry = z.infer<typeof PopulationEntry>;

/** Upload either JSON entries or CSV text with a header naming model, share (and optionally maker, soc, tier). */
export const PopulationPut = z.union([
  z.strictObject({ entries: z.array(PopulationEntry).min(1).max(100_000) }),
  z.strictObject({ csv: z.string().min(1).max(10_000_000) }),
]);
export type PopulationPut = z.infer<typeof PopulationPut>;

export const MappingMatch = z.enum(['model', 'soc', 'tier', 'unmapped']);
export type MappingMatch = z.infer<typeof MappingMatch>;

export const PopulationMappingRow = z.object({
  entry: PopulationEntry,
  /** share normalised so the population sums to 1 */
  normalizedShare: z.number(),
  match: MappingMatch,
  device: z.object({ id: z.string(), localKey: z.string(), model: z.string().nullable(), soc: z.string().nullable(), tier: DeviceTier }).nullable(),
});
export type PopulationMappingRow = z.infer<typeof PopulationMappingRow>;

export const PopulationOut = z.object({
  name: Slug,
  entries: z.array(PopulationEntry),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type PopulationOut = z.infer<typeof PopulationOut>;

export const PopulationMappingOut = z.object({
  name: z.string(),
  rows: z.array(PopulationMappingRow),
  mappedShare: z.number(),
  unmappedShare: z.number(),
  byMatch: z.record(MappingMatch, z.number()),
});
export type PopulationMappingOut = z.infer<typeof PopulationMappingOut>;
