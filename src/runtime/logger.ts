import pino, { type DestinationStream } from 'pino';

// Secrets never reach the logs, whatever object is logged.
export const REDACT_PATHS = [
  'password', '*.password', 'token', '*.token', 'visitorToken', '*.visitorToken', 'authorization', '*.authorization',
  'headers.authorization', 'headers.cookie', 'config', '*.config', 'secret', '*.secret', 'accessToken', '*.accessToken',
];

export function createLogger(opts: { level?: string; stream?: DestinationStream } = {}) {
  return pino({
    level: opts.level ?? process.env.PARLEY_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  }, opts.stream ?? pino.destination(1));
}
