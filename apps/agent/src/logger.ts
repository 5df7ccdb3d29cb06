import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Tokens never reach the logs, wherever they sit in a logged object. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'AGENT_TOKEN',
  '*.AGENT_TOKEN',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { name: 'edgeproof-agent', level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
