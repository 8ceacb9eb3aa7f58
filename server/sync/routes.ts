import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { AppError, ErrorCode } from '../../shared/errors';
import { isCollectionName, type CollectionName } from '../../shared/model/documents';
import { PullQuery, PushRequest, StreamClientMessage, type PullResponse, type PushResponse, type StreamServerMessage } from '../../shared/sync-protocol';
import { parseBody } from '../auth/routes';
import type { SessionCache } from '../auth/session-cache';
import { bearer, type AuthContext, type TokenService } from '../auth/tokens';
import type { Db } from '../db';
import type { Logger } from '../logger';
import { withTenant } from '../tenant-tx';
import type { ChangeHub, StreamClient } from './hub';
import type { PullCoalescer } from './pull-cache';
import { applyPush } from './push';
import { scopeFor, scopeKey } from './scope';

export interface SyncRouteDeps {
  db: Db;
  tokens: TokenService;
  hub: ChangeHub;
  log: Logger;
  sessions: SessionCache;
  pulls: PullCoalescer;
}

const AUTH_TIMEOUT_MS = 10_000;

function collectionParam(params: unknown): CollectionName {
  const { collection } = parseBody(z.object({ collection: z.string().max(64) }), params);
  if (!isCollectionName(collection)) throw new AppError(ErrorCode.UNKNOWN_COLLECTION, `unknown collection ${collection.slice(0, 64)}`);
  return collection;
}

export const syncRoutes: FastifyPluginAsync<SyncRouteDeps> = async (app, deps) => {
  const { db, hub } = deps;

  app.get('/sync/:collection/pull', async (req): Promise<PullResponse> => {
    const collection = collectionParam(req.params);
    const q = parseBody(PullQuery, req.query);
    const ctx = await deps.tokens.verifyAccess(bearer(req.headers.authorization));
    await deps.sessions.assertLive(ctx);
    return deps.pulls.get(ctx.tenantId, collection, `${scopeKey(ctx, collection)}\u0000${q.seq}\u0000${q.limit}`, () => withTenant(db, ctx.tenantId, async (tx) => {
      const scope = await scopeFor(tx, ctx, collection, 5);
      // The tenant filter is repeated in code although RLS enforces it: two locks on one door.
      const rows = await tx.query<{ seq: number; data: Record<string, unknown> }>(
        `select d.seq, d.data from docs d
          where d.tenant_id = $1 and d.collection = $2 and d.seq > $3 and ${scope.sql}
          order by d.seq limit $4`,
        [ctx.tenantId, collection, q.seq, q.limit, ...scope.params],
      );
      const last = rows[rows.length - 1];
      return { documents: rows.map((r) => r.data), checkpoint: { seq: last ? last.seq : q.seq } };
    }));
  });

  app.post('/sync/:collection/push', async (req): Promise<PushResponse> => {
    const collection = collectionParam(req.params);
    const ctx = await deps.tokens.verifyAccess(bearer(req.headers.authorization));
    const body = parseBody(PushRequest, req.body);
    await deps.sessions.assertLive(ctx);
    const out = await withTenant(db, ctx.tenantId, (tx) => applyPush(tx, ctx, collection, body.rows));
    return { conflicts: out.conflicts };
  });

  app.get('/sync/stream', { websocket: true }, (socket: WebSocket) => {
    let client: (StreamClient & { ctx: AuthContext }) | undefined;
    const send = (msg: StreamServerMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
    };
    const fail = (code: string, message: string) => {
      send({ type: 'ERROR', code, message });
      socket.close(1008, code);
    };
    const timer = setTimeout(() => fail(ErrorCode.UNAUTHENTICATED, 'send AUTH first'), AUTH_TIMEOUT_MS);
    // A stream lives as long as its access token: the client re-AUTHs with a fresh one to keep it.
    let expiry: NodeJS.Timeout | undefined;
    const armExpiry = (ctx: AuthContext) => {
      if (expiry) clearTimeout(expiry);
      if (ctx.expiresAt === undefined) return;
      const ms = Math.max(0, ctx.expiresAt * 1000 - Date.now());
      expiry = setTimeout(() => fail(ErrorCode.TOKEN_EXPIRED, 'access token expired; reconnect or re-AUTH with a fresh one'), Math.min(ms, 2 ** 31 - 1));
    };
    let chain = Promise.resolve();
    socket.on('message', (raw: Buffer, isBinary: boolean) => {
      // Messages are handled one at a time so an AUTH finishes before the next message is looked at.
      chain = chain.then(async () => {
        let msg: StreamClientMessage;
        try {
          const parsed = StreamClientMessage.safeParse(isBinary ? undefined : JSON.parse(raw.toString('utf8')));
          if (!parsed.success) return fail(ErrorCode.VALIDATION_FAILED, 'expected {type:"AUTH",token} or {type:"PING"}');
          msg = parsed.data;
        } catch {
          return fail(ErrorCode.MALFORMED_JSON, 'message is not JSON');
        }
        if (msg.type === 'PING') return client ? send({ type: 'PONG' }) : fail(ErrorCode.UNAUTHENTICATED, 'send AUTH first');
        try {
          const ctx = await deps.tokens.verifyAccess(msg.token);
          await deps.sessions.assertLive(ctx);
          if (client && (client.ctx.tenantId !== ctx.tenantId || client.ctx.userId !== ctx.userId)) {
            return fail(ErrorCode.FORBIDDEN, 'cannot switch user or tenant on a stream');
          }
          clearTimeout(timer);
          armExpiry(ctx);
          if (!client) {
            client = { tenantId: ctx.tenantId, sessionId: ctx.sessionId, ctx, send, close: fail };
            hub.add(client);
            send({ type: 'READY' });
            // The server cannot know what this client missed while disconnected: it pulls from its checkpoint.
            send({ type: 'RESYNC' });
          } else {
            // A re-AUTH with a fresh token keeps the stream open (the session may differ after a refresh).
            client.ctx = ctx;
            client.sessionId = ctx.sessionId;
          }
        } catch (err) {
          if (err instanceof AppError) return fail(err.code, err.message);
          deps.log.error({ err }, 'stream auth failed');
          return fail(ErrorCode.INTERNAL, 'internal error');
        }
      });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (expiry) clearTimeout(expiry);
      if (client) hub.remove(client);
    });
    socket.on('error', () => socket.close());
  });
};
