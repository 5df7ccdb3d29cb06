/** The Node entry: the browser-safe client with file-path uploads, and the agent's protocol client. */
export { ApiError, CLIENT_ERROR_CODES, isTransient } from './errors.ts';
export { HttpClient, type CallOptions, type HttpOptions, type Query, type Reply, type TokenSource } from './http.ts';
export { TERMINAL_GATE_STATUSES, TERMINAL_RUN_STATUSES, type ClientOptions, type FileInput } from './edgeproof.ts';
export { EdgeproofClient, sha256File } from './node.ts';
export { AgentClient, type AgentClientOptions } from './agent.ts';
