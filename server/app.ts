import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AppError, ErrorCode, type ErrorBody } from '../shared/errors';
import { authRoutes } from './auth/routes';
import { SessionCache } from './auth/session-cache';
import { loadJwtKey, TokenService } from './auth/tokens';
import type { ServerConfig } from './config';
import type { Db } from './db';
import type { Logger } from './logger';
import { ingressRoutes } from './ingress/routes';
import { webhookAdapter } from './ingress/outbound';
import { ChangeHub } from './sync/hub';
import { PullCoalescer } from './sync/pull-cache';
import { syncRoutes } from './sync/routes';

export const SERVER_VERSION = '0.1.0';

export interface AppDeps {
  db: Db;
  log: Logger;
  config: Pick<ServerConfig, 'corsOrigins'> & Partial<Pick<ServerConfig, 'jwtSecret'>> & { accessTtlSeconds?: number };
  /** Channel ingress outbound settings (see server/ingress). */
  ingress?: Partial<Pick<ServerConfig, 'smtpRelayUrl' | 'outboundWebhookUrl' | 'outboundWebhookSecret'>>;
}

/** Loopback origins are the web host and dev tools on the same machine; anything else must be listed. */
export function isAllowedOrigin(origin: string, allowed: readonly string[]): boolean {
  if (allowed.includes(origin)) return true;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
  });
  await app.register(cors, {
    origin: (origin, cb) => cb(null, !origin || isAllowedOrigin(origin, deps.config.corsOrigins)),
    credentials: false,
  });
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof AppError) {
      const status = statusFor(err.code);
      return reply.status(status).send(err.toBody());
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    let code: ErrorCode = ErrorCode.INTERNAL;
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) code = ErrorCode.PAYLOAD_TOO_LARGE;
    else if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (e.statusCode === 400 && /JSON/i.test(e.message ?? ''))) code = ErrorCode.MALFORMED_JSON;
    else if (e.statusCode === 404) code = ErrorCode.NOT_FOUND;
    // Any other client error Fastify raises itself (empty body, wrong content type, bad URL): the caller's input.
    else if (e.code === 'FST_ERR_VALIDATION' || (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)) code = ErrorCode.VALIDATION_FAILED;
    if (code === ErrorCode.INTERNAL) deps.log.error({ err }, 'unhandled error');
    const body: ErrorBody = { error: { code, message: code === ErrorCode.INTERNAL ? 'internal error' : (e.message ?? code) } };
    return reply.status(code === ErrorCode.INTERNAL ? 500 : (e.statusCode ?? 400)).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const body: ErrorBody = { error: { code: ErrorCode.NOT_FOUND, message: `no route ${req.method} ${req.url.split('?')[0]}` } };
    return reply.status(404).send(body);
  });

  app.get('/healthz', async () => {
    const [row] = await deps.db.query<{ now: string }>('select now()::text as now');
    return { status: 'ok', version: SERVER_VERSION, database: deps.db.kind, time: row?.now };
  });

  const tokens = new TokenService(await loadJwtKey(deps.db, deps.config.jwtSecret), deps.config.accessTtlSeconds);
  const sessions = new SessionCache(deps.db);
  const pulls = new PullCoalescer();
  const hub = new ChangeHub(deps.db, deps.log, {
    change: (t, c) => pulls.invalidate(t, c),
    sessionRevoked: (sid) => sessions.revoke(sid),
    reset: () => { pulls.clear(); sessions.clear(); },
  });
  await hub.start();
  app.addHook('onClose', async () => hub.stop());
  await app.register(authRoutes, { db: deps.db, tokens, sessions });
  await app.register(syncRoutes, { db: deps.db, tokens, hub, log: deps.log, sessions, pulls });
  const ig = deps.ingress ?? {};
  await app.register(ingressRoutes, {
    db: deps.db, log: deps.log, tokens, smtpRelayUrl: ig.smtpRelayUrl,
    messaging: ig.outboundWebhookUrl ? webhookAdapter(ig.outboundWebhookUrl, ig.outboundWebhookSecret ?? '') : undefined,
  });

  return app;
}

export function statusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.INVALID_CREDENTIALS:
    case ErrorCode.TOKEN_EXPIRED:
    case ErrorCode.TOKEN_INVALID:
    case ErrorCode.SESSION_REVOKED:
    case ErrorCode.REFRESH_REUSED:
    case ErrorCode.INGRESS_SIGNATURE_INVALID: return 401;
    case ErrorCode.FORBIDDEN: return 403;
    case ErrorCode.NOT_FOUND:
    case ErrorCode.UNKNOWN_COLLECTION:
    case ErrorCode.INGRESS_UNKNOWN_ADDRESS: return 404;
    case ErrorCode.CONFLICT:
    case ErrorCode.IDEMPOTENCY_KEY_REUSED: return 409;
    case ErrorCode.INGRESS_IDENTITY_INVALID:
    case ErrorCode.INGRESS_MALFORMED_MESSAGE: return 422;
    case ErrorCode.OUTBOUND_FAILED: return 502;
    case ErrorCode.PAYLOAD_TOO_LARGE: return 413;
    case ErrorCode.RATE_LIMITED: return 429;
    case ErrorCode.INTERNAL: return 500;
    default: return 400;
  }
}
