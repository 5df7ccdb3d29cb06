/** The agent's API calls live in @edgeproof/client (one HTTP layer for the agent, the CLI and the dashboard). */
export { AgentClient as ApiClient, ApiError, type AgentClientOptions as ApiClientOptions } from '@edgeproof/client';
