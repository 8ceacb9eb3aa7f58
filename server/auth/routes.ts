import { hash, verify } from '@node-rs/argon2';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LoginRequest, RefreshRequest, Role, type DeviceSession, type Session } from '../../shared/auth-contract';
import { AppError, ErrorCode, describeIssues } from '../../shared/errors';
import { newId } from '../../shared/ids';
import { audit } from '../audit';
import type { Db, Queryable } from '../db';
import { notifySessionRevoked } from '../doc-store';
import type { SessionCache } from './session-cache';
import { withTenant } from '../tenant-tx';
import {
  assertSessionLive, bearer, newRefreshToken, parseRefreshToken, REFRESH_TTL_SECONDS, requireRole,
  type AuthContext, type TokenService,
} from './tokens';

export interface AuthRouteDeps {
  db: Db;
  tokens: TokenService;
  sessions: SessionCache;
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new AppError(ErrorCode.VALIDATION_FAILED, describeIssues(r.error.issues), r.error.issues.slice(0, 10));
  return r.data;
}

/** Verifies the Bearer token and that its session is still live, in one tenant transaction. */
export async function authenticate(deps: Pick<AuthRouteDeps, 'db' | 'tokens'>, req: FastifyRequest): Promise<AuthContext> {
  const ctx = await deps.tokens.verifyAccess(bearer(req.headers.authorization));
  await withTenant(deps.db, ctx.tenantId, (tx) => assertSessionLive(tx, ctx));
  return ctx;
}

// Verifying against a fixed hash when the user does not exist keeps response time from revealing
// which emails are registered.
let dummyHash: Promise<string> | undefined;

interface UserRow { id: string; email: string; display_name: string; role: string; password_hash: string; disabled: boolean }

async function agentIdFor(tx: Queryable, userId: string): Promise<string | undefined> {
  const [a] = await tx.query<{ id: string }>(
    `select id from docs where collection = 'agents' and data->>'userId' = $1 and not deleted limit 1`, [userId]);
  return a?.id;
}

async function openSession(deps: AuthRouteDeps, tx: Queryable, user: UserRow, tenantId: string, deviceName: string | undefined): Promise<Session> {
  const sessionId = newId();
  const agentId = await agentIdFor(tx, user.id);
  await tx.query('insert into sessions (id, tenant_id, user_id, device_name) values ($1, $2, $3, $4)', [sessionId, tenantId, user.id, deviceName ?? null]);
  return issue(deps, tx, { userId: user.id, tenantId, role: Role.parse(user.role), sessionId, agentId }, user);
}

async function issue(deps: AuthRouteDeps, tx: Queryable, ctx: AuthContext, user: Pick<UserRow, 'email' | 'display_name'>): Promise<Session> {
  const rt = newRefreshToken(ctx.tenantId);
  await tx.query(
    `insert into refresh_tokens (token_hash, tenant_id, session_id, expires_at) values ($1, $2, $3, now() + make_interval(secs => $4))`,
    [rt.hash, ctx.tenantId, ctx.sessionId, REFRESH_TTL_SECONDS],
  );
  return {
    accessToken: await deps.tokens.issueAccess(ctx),
    refreshToken: rt.token,
    expiresIn: deps.tokens.accessTtlSeconds,
    sessionId: ctx.sessionId,
    user: {
      id: ctx.userId, tenantId: ctx.tenantId, email: user.email, displayName: user.display_name, role: ctx.role,
      ...(ctx.agentId ? { agentId: ctx.agentId } : {}),
    },
  };
}

export const authRoutes: FastifyPluginAsync<AuthRouteDeps> = async (app, deps) => {
  const { db } = deps;

  app.post('/auth/login', async (req) => {
    const body = parseBody(LoginRequest, req.body);
    const [tenant] = await db.query<{ id: string }>('select id from tenants where slug = $1 or id = $1 limit 1', [body.tenant]);
    const email = body.email.trim().toLowerCase();
    const user = tenant
      ? await withTenant(db, tenant.id, async (tx) => (await tx.query<UserRow>(
        `select id, email, display_name, role, password_hash, disabled_at is not null as disabled
           from users where lower(email) = $1`, [email]))[0])
      : undefined;
    dummyHash ??= hash('threadline-no-such-user');
    const ok = await verify(user?.password_hash ?? (await dummyHash), body.password).catch(() => false);
    if (!tenant || !user || !ok || user.disabled) {
      if (tenant) {
        await withTenant(db, tenant.id, (tx) => audit(tx, { tenantId: tenant.id, actorId: user?.id, action: 'login_failed', details: { email } }));
      }
      throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'tenant, email or password is wrong');
    }
    return withTenant(db, tenant.id, async (tx) => {
      const session = await openSession(deps, tx, user, tenant.id, body.deviceName);
      await audit(tx, { tenantId: tenant.id, actorId: user.id, action: 'login', target: session.sessionId, details: { device: body.deviceName ?? null } });
      return session;
    });
  });

  app.post('/auth/refresh', async (req) => {
    const { refreshToken } = parseBody(RefreshRequest, req.body);
    const { tenantId, hash: tokenHash } = parseRefreshToken(refreshToken);
    const [tenant] = await db.query<{ id: string }>('select id from tenants where id = $1', [tenantId]);
    if (!tenant) throw new AppError(ErrorCode.TOKEN_INVALID, 'refresh token is not valid');
    // The replay branch must commit its revocation, so it returns an error instead of throwing inside the transaction.
    const out = await withTenant(db, tenantId, async (tx): Promise<Session | AppError> => {
      const [claimed] = await tx.query<{ session_id: string }>(
        `update refresh_tokens set used_at = now() where token_hash = $1 and used_at is null and expires_at > now() returning session_id`, [tokenHash]);
      if (!claimed) {
        const [old] = await tx.query<{ session_id: string; used: boolean }>(
          'select session_id, used_at is not null as used from refresh_tokens where token_hash = $1', [tokenHash]);
        if (!old) return new AppError(ErrorCode.TOKEN_INVALID, 'refresh token is not valid');
        if (!old.used) return new AppError(ErrorCode.TOKEN_EXPIRED, 'refresh token expired; sign in again');
        await tx.query(`update sessions set revoked_at = coalesce(revoked_at, now()), revoked_reason = coalesce(revoked_reason, 'refresh_reused') where id = $1`, [old.session_id]);
        await audit(tx, { tenantId, action: 'refresh_reused', target: old.session_id });
        await notifySessionRevoked(tx, tenantId, old.session_id);
        deps.sessions.revoke(old.session_id);
        return new AppError(ErrorCode.REFRESH_REUSED, 'refresh token was already used; the session is revoked, sign in again');
      }
      const [s] = await tx.query<UserRow & { session_id: string; revoked: boolean }>(
        `select s.id as session_id, s.revoked_at is not null as revoked, u.id, u.email, u.display_name, u.role,
                u.password_hash, u.disabled_at is not null as disabled
           from sessions s join users u on u.id = s.user_id where s.id = $1`, [claimed.session_id]);
      if (!s || s.revoked || s.disabled) return new AppError(ErrorCode.SESSION_REVOKED, 'this device session was revoked; sign in again');
      await tx.query('update sessions set last_used_at = now() where id = $1', [s.session_id]);
      const ctx: AuthContext = { userId: s.id, tenantId, role: Role.parse(s.role), sessionId: s.session_id, agentId: await agentIdFor(tx, s.id) };
      return issue(deps, tx, ctx, s);
    });
    if (out instanceof AppError) throw out;
    return out;
  });

  app.post('/auth/logout', async (req) => {
    const ctx = await authenticate(deps, req);
    await withTenant(db, ctx.tenantId, async (tx) => {
      await tx.query(`update sessions set revoked_at = now(), revoked_reason = 'logout' where id = $1 and revoked_at is null`, [ctx.sessionId]);
      await audit(tx, { tenantId: ctx.tenantId, actorId: ctx.userId, action: 'logout', target: ctx.sessionId });
      await notifySessionRevoked(tx, ctx.tenantId, ctx.sessionId);
    });
    deps.sessions.revoke(ctx.sessionId);
    return { ok: true };
  });

  app.get('/auth/sessions', async (req) => {
    const ctx = await authenticate(deps, req);
    requireRole(ctx, 'admin');
    const rows = await withTenant(db, ctx.tenantId, (tx) => tx.query<DeviceSession>(
      `select s.id, s.user_id as "userId", u.email, s.device_name as "deviceName",
              (extract(epoch from s.created_at) * 1000)::int8 as "createdAt",
              (extract(epoch from s.last_used_at) * 1000)::int8 as "lastUsedAt",
              (extract(epoch from s.revoked_at) * 1000)::int8 as "revokedAt", s.revoked_reason as "revokedReason"
         from sessions s join users u on u.id = s.user_id order by s.created_at desc limit 1000`));
    return { sessions: rows };
  });

  app.delete('/auth/sessions/:id', async (req) => {
    const ctx = await authenticate(deps, req);
    requireRole(ctx, 'admin');
    const { id } = parseBody(z.object({ id: z.string().min(1).max(64) }), req.params);
    const found = await withTenant(db, ctx.tenantId, async (tx) => {
      const r = await tx.query(`update sessions set revoked_at = coalesce(revoked_at, now()), revoked_reason = coalesce(revoked_reason, 'admin') where id = $1 returning id`, [id]);
      if (r.length) {
        await audit(tx, { tenantId: ctx.tenantId, actorId: ctx.userId, action: 'session_revoked', target: id });
        await notifySessionRevoked(tx, ctx.tenantId, id);
      }
      return r.length > 0;
    });
    deps.sessions.revoke(id);
    if (!found) throw new AppError(ErrorCode.NOT_FOUND, 'no such session');
    return { ok: true };
  });
};
