import { z } from 'zod';

/**
 * Auth wire contract. Access tokens are short-lived JWTs sent as `Authorization: Bearer …` on HTTP
 * and as the first WebSocket message (never in a URL). Refresh tokens rotate on every use; a reused
 * (already rotated) refresh token revokes the whole device session.
 *
 * - POST /auth/login    LoginRequest   → Session
 * - POST /auth/refresh  RefreshRequest → Session
 * - POST /auth/logout   (Bearer)       → { ok: true }   revokes this device session
 * - GET  /auth/sessions (admin)        → DeviceSession[];  DELETE /auth/sessions/:id revokes one
 */

export const Role = z.enum(['agent', 'supervisor', 'admin']);
export type Role = z.infer<typeof Role>;

export const LoginRequest = z.object({
  tenant: z.string().min(1).max(64),
  email: z.string().email().max(320),
  password: z.string().min(1).max(1024),
  deviceName: z.string().max(200).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const RefreshRequest = z.object({ refreshToken: z.string().min(20).max(4096) });

export const SessionUser = z.object({
  id: z.string(),
  tenantId: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: Role,
  /** The agent document of this user, when there is one (admins may have none). */
  agentId: z.string().optional(),
});
export type SessionUser = z.infer<typeof SessionUser>;

export const Session = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int().positive(),
  sessionId: z.string(),
  user: SessionUser,
});
export type Session = z.infer<typeof Session>;

/** Claims inside the access token. */
export interface AccessClaims {
  sub: string;
  tid: string;
  role: Role;
  sid: string;
  agt?: string;
}

/** One row of GET /auth/sessions (admin): a signed-in device of the tenant. Times are epoch ms. */
export const DeviceSession = z.object({
  id: z.string(),
  userId: z.string(),
  email: z.string(),
  deviceName: z.string().nullable(),
  createdAt: z.number(),
  lastUsedAt: z.number(),
  revokedAt: z.number().nullable(),
  revokedReason: z.string().nullable(),
});
export type DeviceSession = z.infer<typeof DeviceSession>;
