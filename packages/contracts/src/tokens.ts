import { z } from 'zod';
import { Role } from './common.ts';

export const TokenCreate = z.strictObject({ name: z.string().min(1).max(200), role: Role });
export type TokenCreate = z.infer<typeof TokenCreate>;

export const TokenCreated = z.object({ id: z.uuid(), name: z.string(), role: Role, token: z.string() });
export type TokenCreated = z.infer<typeof TokenCreated>;

export const WhoAmI = z.object({ id: z.string(), name: z.string(), role: Role });
export type WhoAmI = z.infer<typeof WhoAmI>;
