import { z } from 'zod';
import { Role, Slug } from './common.ts';

export const TokenCreate = z
  .strictObject({
    name: z.string().min(1).max(200),
    role: Role,
    /** role agent: the one agent (by name) the token may register as and act for; required for agents, refused otherwise */
    agent: Slug.optional(),
    /** the token is refused (401) from this instant on */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((t, ctx) => {
    if (t.role === 'agent' && !t.agent) ctx.addIssue({ code: 'custom', path: ['agent'], message: 'required for role agent: the agent name this token acts for' });
    if (t.role !== 'agent' && t.agent) ctx.addIssue({ code: 'custom', path: ['agent'], message: `only agent tokens name an agent (role is ${t.role})` });
    if (t.expiresAt && Date.parse(t.expiresAt) <= Date.now()) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be in the future' });
  });
export type TokenCreate = z.infer<typeof TokenCreate>;

export const TokenCreated = z.object({
  id: z.uuid(),
  name: z.string(),
  role: Role,
  agent: z.string().nullable(),
  expiresAt: z.string().nullable(),
  /** the secret: shown once, only its hash is stored */
  token: z.string(),
});
export type TokenCreated = z.infer<typeof TokenCreated>;

/** A token as listed: never its secret. */
export const TokenOut = z.object({
  id: z.uuid(),
  name: z.string(),
  role: Role,
  agent: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  /** active, revoked or expired, as of the answer */
  state: z.enum(['active', 'revoked', 'expired']),
});
export type TokenOut = z.infer<typeof TokenOut>;

export const TokenList = z.object({ items: z.array(TokenOut) });
export type TokenList = z.infer<typeof TokenList>;

export const WhoAmI = z.object({ id: z.string(), name: z.string(), role: Role, agent: z.string().nullable() });
export type WhoAmI = z.infer<typeof WhoAmI>;
