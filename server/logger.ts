import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { svc: 'threadline-server' },
    // Tokens and passwords must never reach a log line, wherever they appear in a request.
    redact: {
      paths: ['req.headers.authorization', 'password', '*.password', 'token', '*.token', 'refreshToken', '*.refreshToken'],
      censor: '[redacted]',
    },
  });
}
