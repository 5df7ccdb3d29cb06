import { z } from 'zod';
import { Slug, VersionName } from './common.ts';

/**
 * A scenario is a camera video plus MOTChallenge ground truth, described by this manifest.
 * The video is YUV4MPEG2 4:2:0 (what Chromium's fake camera plays); the ground truth has one line per
 * visible object per frame: `frame,id,x,y,w,h,conf,class,visibility` with 1-based frames, (x, y) the
 * top-left corner in pixels (0-based grid) and `class` one of `classes[].id`.
 */
export const SCENARIO_FORMAT = 'edgeproof-scenario/v1';
export const FRAME_CODE_FORMAT = 'edgeproof-frame-code/v1';

export const ScenarioClass = z.strictObject({
  id: z.number().int().min(1).max(1_000_000),
  name: z.string().min(1).max(100),
});
export type ScenarioClass = z.infer<typeof ScenarioClass>;

/** Where the frame-index code is drawn: harnesses decode it, then hide it from the feature. */
export const ScenarioFrameCode = z.strictObject({
  format: z.literal(FRAME_CODE_FORMAT),
  /** the region to ignore, in pixels */
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** the code carries the 0-based frame index; ground-truth frame = index + 1 */
  indexBase: z.literal(0),
});
export type ScenarioFrameCode = z.infer<typeof ScenarioFrameCode>;

const evenDimension = (what: string) =>
  z
    .number()
    .int()
    .min(16)
    .max(8192)
    .refine((v) => v % 2 === 0, `${what} must be even (4:2:0 video)`);

export const Scenario = z
  .strictObject({
    format: z.literal(SCENARIO_FORMAT),
    name: Slug,
    version: VersionName,
    fps: z.number().positive().max(240),
    width: evenDimension('width'),
    height: evenDimension('height'),
    frameCount: z.number().int().min(1).max(1_000_000),
    classes: z.array(ScenarioClass).min(1).max(1000),
    frameCode: ScenarioFrameCode.optional(),
    /** how the scenario was made, when generated */
    generator: z
      .strictObject({ name: z.string().min(1).max(100), version: z.string().min(1).max(50), seed: z.number().int() })
      .optional(),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<number>();
    s.classes.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['classes', i, 'id'], message: `duplicate class id ${c.id}` });
      seen.add(c.id);
    });
    const fc = s.frameCode;
    if (fc && (fc.x + fc.width > s.width || fc.y + fc.height > s.height)) {
      ctx.addIssue({ code: 'custom', path: ['frameCode'], message: 'frame-code region lies outside the frame' });
    }
  });
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;
