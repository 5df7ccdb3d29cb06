export { startAgent, AGENT_VERSION, type AgentConfig, type AgentDevice, type RunningAgent } from './agent.ts';
export { loadEnv, AgentEnv } from './env.ts';
export { ApiClient, ApiError, type ApiClientOptions } from './api-client.ts';
export { ArtifactCache, ArtifactIntegrityError } from './artifact-cache.ts';
export { createLogger } from './logger.ts';
