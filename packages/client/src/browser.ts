/** The browser-safe entry: no Node built-ins (the dashboard imports this). */
export { ApiError, CLIENT_ERROR_CODES, isTransient } from './errors.ts';
export { HttpClient, type CallOptions, type HttpOptions, type Query, type Reply, type TokenSource } from './http.ts';
export { EdgeproofClient, TERMINAL_GATE_STATUSES, TERMINAL_RUN_STATUSES, type ClientOptions, type FileInput } from './edgeproof.ts';
