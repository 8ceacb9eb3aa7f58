import { createHash, randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { Role, type AccessClaims } from '../../shared/auth-contract';
import { AppError, ErrorCode } from '../../shared/errors';
import type { Db, Queryable } from '../db';

export const ACCESS_TTL_SECONDS = 15 * 60;
export const REFRESH_TTL_SECONDS = 30 * 24 * 3600;
const ISSUER = 'threadline';
const AUDIENCE = 'threadline-api';

export interface AuthContext {
  userId: string;
  tenantId: string;
  role: Role;
  sessionId: string;
  agentId?: string | undefined;
  /** Access token expiry, epoch seconds (set by verifyAccess). */
  expiresAt?: number | undefined;
}

const Claims = z.object({
  sub: z.string().min(1).max(64),
  tid: z.string().min(1).max(64),
  role: Role,
  sid: z.string().min(1).max(64),
  agt: z.string().min(1).max(64).optional(),
  exp: z.number().int(),
});

/**
 * The signing key is shared by every node: JWT_SECRET when set, otherwise one random secret created
 * by whichever node asks first and stored in the database (`on conflict do nothing` settles races).
 */
export async function loadJwtKey(db: Db, configured?: string): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  await db.query(`insert into server_secrets (name, value) values ('jwt_hs256', $1) on conflict (name) do nothing`, [
    randomBytes(48).toString('base64url'),
  ]);
  const [row] = await db.query<{ value: string }>(`select value from server_secrets where name = 'jwt_hs256'`);
  if (!row) throw new Error('jwt secret missing after insert');
  return new TextEncoder().encode(row.value);
}

export class TokenService {
  constructor(private readonly key: Uint8Array, readonly accessTtlSeconds: number = ACCESS_TTL_SECONDS) {}

  async issueAccess(ctx: AuthContext): Promise<string> {
    const claims: Omit<AccessClaims, 'sub'> = { tid: ctx.tenantId, role: ctx.role, sid: ctx.sessionId, ...(ctx.agentId ? { agt: ctx.agentId } : {}) };
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(ctx.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.accessTtlSeconds}s`)
      .sign(this.key);
  }

  /** Signature, algorithm, issuer, audience, expiry and claim shapes; session liveness is checked per request. */
  async verifyAccess(token: string): Promise<AuthContext> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new AppError(ErrorCode.TOKEN_EXPIRED, 'access token expired; refresh it');
      throw new AppError(ErrorCode.TOKEN_INVALID, 'access token is not valid');
    }
    const c = Claims.safeParse(payload);
    if (!c.success) throw new AppError(ErrorCode.TOKEN_INVALID, 'access token claims are not valid');
    return { userId: c.data.sub, tenantId: c.data.tid, role: c.data.role, sessionId: c.data.sid, agentId: c.data.agt, expiresAt: c.data.exp };
  }
}

/** `rt1.<tenant, base64url>.<secret>`: the tenant prefix lets the server open the right tenant before looking the token up. */
export function newRefreshToken(tenantId: string): { token: string; hash: string } {
  const token = `rt1.${Buffer.from(tenantId).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function parseRefreshToken(token: string): { tenantId: string; hash: string } {
  const m = /^rt1\.([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) throw new AppError(ErrorCode.TOKEN_INVALID, 'refresh token is not valid');
  return { tenantId: Buffer.from(m[1]!, 'base64url').toString('utf8'), hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function bearer(header: string | undefined): string {
  const m = /^Bearer ([A-Za-z0-9._~+/=-]{10,4096})$/.exec(header ?? '');
  if (!m) throw new AppError(ErrorCode.UNAUTHENTICATED, 'missing or malformed Authorization: Bearer header');
  return m[1]!;
}

/** A revoked device session (logout, admin, refresh replay) stops its access tokens at once, not at expiry. */
export async function assertSessionLive(tx: Queryable, ctx: AuthContext): Promise<void> {
  const [s] = await tx.query<{ revoked: boolean }>(
    `select (s.revoked_at is not null or u.disabled_at is not null) as revoked
       from sessions s join users u on u.id = s.user_id where s.id = $1 and s.user_id = $2`,
    [ctx.sessionId, ctx.userId],
  );
  if (!s) throw new AppError(ErrorCode.TOKEN_INVALID, 'session not found');
  if (s.revoked) throw new AppError(ErrorCode.SESSION_REVOKED, 'this device session was revoked; sign in again');
}

export function requireRole(ctx: AuthContext, ...roles: Role[]): void {
  if (!roles.includes(ctx.role)) throw new AppError(ErrorCode.FORBIDDEN, `requires role ${roles.join(' or ')}`);
}
