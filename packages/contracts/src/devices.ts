import { z } from 'zod';
import { DeviceStatus, DeviceTier, Slug } from './common.ts';

export const DeviceRegistration = z.strictObject({
  /** the agent's own stable name for the device (adb serial, browser slot, "host") */
  localKey: z.string().min(1).max(200),
  platform: z.string().min(1).max(50),
  driver: z.string().min(1).max(50),
  maker: z.string().max(200).optional(),
  model: z.string().max(200).optional(),
  osVersion: z.string().max(100).optional(),
  soc: z.string().max(200).optional(),
  cpu: z.string().max(200).optional(),
  cores: z.number().int().positive().optional(),
  ramMb: z.number().int().positive().optional(),
  tier: DeviceTier,
  tags: z.array(z.string().max(100)).default([]),
  /** runtimes the device can run, e.g. "onnxruntime-node", "onnxruntime-web/wasm" */
  runtimes: z.array(z.string()).min(1),
  /** devices sharing a class are interchangeable when a job must be re-routed; derived when absent */
  equivalenceClass: z.string().max(300).optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});
export type DeviceRegistration = z.infer<typeof DeviceRegistration>;

export const AgentRegister = z.strictObject({
  /** must be the agent the token is bound to */
  name: Slug,
  /** this process; one random id per agent process. Re-registering with the same id keeps the epoch */
  instanceId: z.uuid().optional(),
  /**
   * take the agent over from another live instance at once (its calls are refused from then on);
   * without it a second live instance gets 409 until the first has been silent for the offline timeout
   */
  takeover: z.boolean().default(false),
  hostname: z.string().max(300).optional(),
  agentVersion: z.string().max(100).optional(),
  devices: z.array(DeviceRegistration).max(10_000),
});
export type AgentRegister = z.infer<typeof AgentRegister>;

export const AgentRegistered = z.object({
  agentId: z.uuid(),
  instanceId: z.uuid(),
  /** the fencing token: send it as the `Agent-Epoch` header on every later agent call */
  epoch: z.number().int(),
  devices: z.array(z.object({ id: z.uuid(), localKey: z.string(), queue: z.string() })),
  heartbeatIntervalMs: z.number().int(),
});
export type AgentRegistered = z.infer<typeof AgentRegistered>;

export const DeviceHeartbeat = z.strictObject({
  localKey: z.string(),
  /** what the agent sees; the API keeps quarantine and offline decisions for itself */
  status: z.enum(['idle', 'busy', 'unhealthy']),
  reason: z.string().max(2000).optional(),
  currentJobId: z.uuid().optional(),
  /**
   * health checks that failed, in a row, since the agent's last delivered heartbeat; the API adds
   * them to the device's consecutive failures (and resets the count on a healthy report with none)
   */
  healthFailures: z.number().int().min(0).max(10_000).optional(),
});
export type DeviceHeartbeat = z.infer<typeof DeviceHeartbeat>;

export const AgentHeartbeat = z.strictObject({ devices: z.array(DeviceHeartbeat) });
export type AgentHeartbeat = z.infer<typeof AgentHeartbeat>;

export const DeviceOut = z.object({
  id: z.uuid(),
  agent: z.string(),
  localKey: z.string(),
  platform: z.string(),
  driver: z.string(),
  maker: z.string().nullable(),
  model: z.string().nullable(),
  osVersion: z.string().nullable(),
  soc: z.string().nullable(),
  cpu: z.string().nullable(),
  cores: z.number().int().nullable(),
  ramMb: z.number().int().nullable(),
  tier: DeviceTier,
  tags: z.array(z.string()),
  runtimes: z.array(z.string()),
  equivalenceClass: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  status: DeviceStatus,
  statusReason: z.string().nullable(),
  /** failed health checks in a row; the API quarantines the device at its configured limit */
  consecutiveHealthFailures: z.number().int().optional(),
  currentJobId: z.string().nullable(),
  lastHeartbeatAt: z.string(),
});
export type DeviceOut = z.infer<typeof DeviceOut>;

/** An admin's reason for taking a device out of service. */
export const DeviceQuarantine = z.strictObject({ reason: z.string().min(1).max(2000) });
export type DeviceQuarantine = z.infer<typeof DeviceQuarantine>;

/** Header carrying the agent's fencing epoch (from registration) on every heartbeat and job call. */
export const AGENT_EPOCH_HEADER = 'agent-epoch';

/** The `Agent-Epoch` header every agent call after registration carries (documented in OpenAPI). */
export const AgentEpochHeaders = z.object({
  [AGENT_EPOCH_HEADER]: z
    .string({ error: 'required, the epoch from POST /v1/agents/register (a non-negative integer)' })
    .regex(/^\d{1,9}$/, 'required, the epoch from POST /v1/agents/register (a non-negative integer)'),
});
