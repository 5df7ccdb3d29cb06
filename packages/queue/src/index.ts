export { createBlockingRedis, createProducerRedis, createRedis, PRODUCER_COMMAND_TIMEOUT_MS, redactRedisUrl } from './connection.ts';
export { jobCatalog, deviceQueueName, DEFAULT_QUEUE_PREFIX, type JobCatalog, type JobName, type JobPayload, type JobKind } from './catalog.ts';
export {
  DeviceLeases,
  DeviceLease,
  LeaseFencedError,
  type DeviceLeaseOptions,
  type LeaseEvent,
  type LeaseFence,
  type LeaseInfo,
} from './device-lease.ts';
export { agentEpochKey, raiseAgentEpoch } from './agent-epoch.ts';
