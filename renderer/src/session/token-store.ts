import { z } from 'zod';
import { Session, type LoginRequest } from '../../../shared/auth-contract';
import { ErrorCode } from '../../../shared/errors';

/** Where the session survives a reload: localStorage in the renderer, a Map in Node tests. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function memoryStore(): KeyValueStore {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
}

/** Server refusals that end the device session: the replica must be purged, not retried. */
const REVOKING = new Set<string>([ErrorCode.SESSION_REVOKED, ErrorCode.REFRESH_REUSED, ErrorCode.TOKEN_INVALID, ErrorCode.TOKEN_EXPIRED]);

export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The link failed (no response at all): work continues offline and nothing is purged. */
export class NetworkError extends Error {
  readonly code = 'NETWORK';
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export async function readApiError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const b = ErrorBodySchema.parse(JSON.parse(text));
    return new ApiError(b.error.code, b.error.message, res.status);
  } catch {
    return new ApiError(res.status >= 500 ? ErrorCode.INTERNAL : 'HTTP_ERROR', `HTTP ${res.status}`, res.status);
  }
}

/** A request that never answers (a dead route) must fail like a dropped one, or replication stalls. */
export const REQUEST_TIMEOUT_MS = 20_000;

export async function fetchOrOffline(fetchImpl: typeof fetch, url: string, init: RequestInit, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Response> {
  try {
    const res = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    // Read the body inside the timeout too: a link can die between headers and body.
    const body = await res.arrayBuffer();
    return new Response(res.status === 204 || res.status === 304 ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
  } catch (err) {
    throw new NetworkError(err instanceof Error ? err.message : String(err));
  }
}

const Stored = z.object({ session: Session, expiresAt: z.number(), serverUrl: z.string() });
type Stored = z.infer<typeof Stored>;

const KEY = 'threadline.session';
const EARLY_REFRESH_MS = 30_000;

/**
 * Holds the signed-in session. Access tokens refresh on demand (one refresh in flight at a time,
 * because refresh tokens rotate and a second concurrent use would look like a replay and revoke the
 * device). A refusal that ends the session calls `onRevoked` so the replica is purged.
 */
export class TokenStore {
  private stored: Stored | undefined;
  private refreshing: Promise<string> | undefined;
  private readonly listeners = new Set<() => void>();
  onRevoked: ((reason: string) => void) | undefined;
  /** Called with every fresh access token, e.g. to re-authenticate an open WebSocket. */
  onToken: ((token: string) => void) | undefined;

  constructor(
    readonly serverUrl: string,
    private readonly store: KeyValueStore,
    private readonly fetchImpl: typeof fetch = (...a) => fetch(...a),
    private readonly now: () => number = Date.now,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    const raw = store.getItem(KEY);
    if (raw) {
      try {
        const parsed = Stored.parse(JSON.parse(raw));
        // A session for another server must not be offered to this one.
        if (parsed.serverUrl === serverUrl) this.stored = parsed;
      } catch {
        store.removeItem(KEY);
      }
    }
  }

  get session(): Session | undefined {
    return this.stored?.session;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private save(session: Session | undefined): void {
    if (session) {
      this.stored = { session, expiresAt: this.now() + session.expiresIn * 1000, serverUrl: this.serverUrl };
      this.store.setItem(KEY, JSON.stringify(this.stored));
    } else {
      this.stored = undefined;
      this.store.removeItem(KEY);
    }
    for (const l of this.listeners) l();
  }

  async login(req: LoginRequest): Promise<Session> {
    const res = await fetchOrOffline(this.fetchImpl, new URL('/auth/login', this.serverUrl).href, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(req),
    });
    if (!res.ok) throw await readApiError(res);
    const session = Session.parse(await res.json());
    this.save(session);
    return session;
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<string> {
    const s = this.stored;
    if (!s) throw new ApiError(ErrorCode.UNAUTHENTICATED, 'not signed in', 401);
    if (s.expiresAt - this.now() > EARLY_REFRESH_MS) return s.session.accessToken;
    return this.refresh();
  }

  refresh(): Promise<string> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<string> {
    const s = this.stored;
    if (!s) throw new ApiError(ErrorCode.UNAUTHENTICATED, 'not signed in', 401);
    const res = await fetchOrOffline(this.fetchImpl, new URL('/auth/refresh', this.serverUrl).href, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: s.session.refreshToken }),
    });
    if (!res.ok) {
      const err = await readApiError(res);
      if (REVOKING.has(err.code)) this.revoked(err.code);
      throw err;
    }
    const session = Session.parse(await res.json());
    this.save(session);
    this.onToken?.(session.accessToken);
    return session.accessToken;
  }

  /** The server said the session is over (revoked device, replayed refresh): forget it and purge. */
  revoked(reason: string): void {
    if (!this.stored) return;
    this.save(undefined);
    this.onRevoked?.(reason);
  }

  /** Ends the device session on the server when reachable; locally it ends regardless. */
  async logout(): Promise<void> {
    const s = this.stored;
    this.save(undefined);
    if (!s) return;
    try {
      await this.fetchImpl(new URL('/auth/logout', this.serverUrl).href, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.session.accessToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
    } catch {
      // Offline logout still purges locally; the server session expires with its refresh token.
    }
  }

  /**
   * An authorised request. A 401 for an expired access token refreshes once and retries; a 401
   * that ends the session marks it revoked. Network failures surface as NetworkError.
   */
  async authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
    const call = async (token: string) =>
      fetchOrOffline(this.fetchImpl, new URL(path, this.serverUrl).href, {
        ...init,
        headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` },
      }, this.timeoutMs);
    let res = await call(await this.accessToken());
    if (res.status === 401) {
      const err = await readApiError(res);
      // An access token the server cannot verify may still come with a good refresh token (e.g. a
      // rotated signing key); only a failed refresh ends the session.
      if (err.code === ErrorCode.TOKEN_EXPIRED || err.code === ErrorCode.TOKEN_INVALID) {
        res = await call(await this.refresh());
      } else {
        if (REVOKING.has(err.code) || err.code === ErrorCode.UNAUTHENTICATED) this.revoked(err.code);
        throw err;
      }
    }
    if (!res.ok) {
      const err = await readApiError(res);
      if (res.status === 401 && REVOKING.has(err.code)) this.revoked(err.code);
      throw err;
    }
    return res;
  }
}
