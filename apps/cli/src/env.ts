import { z } from 'zod';

const CliEnv = z.object({
  EDGEPROOF_URL: z.url().optional(),
  EDGEPROOF_TOKEN: z.string().min(1).optional(),
});
export type CliEnv = z.infer<typeof CliEnv>;

/** The CLI's environment, read once at start; flags win over it. */
export function loadEnv(source: Record<string, string | undefined> = process.env): CliEnv {
  const parsed = CliEnv.safeParse(source);
  if (!parsed.success) throw new Error(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
