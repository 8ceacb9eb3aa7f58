import { z } from 'zod';
import type { StreamServerMessage } from '../../shared/sync-protocol';
import type { Db } from '../db';
import { CHANGE_CHANNEL } from '../doc-store';
import type { Logger } from '../logger';

const Notice = z.union([
  z.object({ t: z.string(), c: z.string(), s: z.number() }),
  z.object({ t: z.string(), sid: z.string() }),
]);

/** Node-local caches that must hear about changes before clients do. */
export interface HubListeners {
  change?(tenantId: string, collection: string): void;
  sessionRevoked?(sessionId: string): void;
  /** Notices may have been missed (listener connection lost): forget everything. */
  reset?(): void;
}

export interface StreamClient {
  tenantId: string;
  sessionId?: string;
  send(msg: StreamServerMessage): void;
  /** Ends the stream (its session was revoked). */
  close?(code: string, message: string): void;
}

/**
 * Fans database change notices out to this node's WebSocket clients. Every node LISTENs on the same
 * channel, so a commit on any node reaches clients on all of them; the notice only says "tenant T,
 * collection C reached seq N" and clients pull the rest, so a lost notice costs latency, not data.
 * If the LISTEN connection drops, the hub listens again and tells every client to RESYNC, since it
 * may have missed notices meanwhile.
 */
export class ChangeHub {
  private readonly clients = new Map<string, Set<StreamClient>>();
  private unlisten: (() => Promise<void>) | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  /** Per tenant+collection: a CHANGE went out within the window; `seq` is a newer one still owed. */
  private readonly throttled = new Map<string, { seq: number | undefined; timer: NodeJS.Timeout }>();

  /**
   * `throttleMs`: during a burst of commits each client gets at most one CHANGE per collection per
   * window (the first at once, the latest at the window's end), since each CHANGE costs every client a
   * pull and one pull fetches all of them anyway. A lone write is never delayed.
   */
  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly listeners: HubListeners = {},
    private readonly throttleMs = 25,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(CHANGE_CHANNEL, (payload) => this.onNotice(payload), () => this.onLost());
  }

  private onLost(): void {
    if (this.stopped) return;
    this.log.warn('change listener lost; re-listening');
    this.unlisten = undefined;
    this.listeners.reset?.();
    const attempt = (delay: number) => {
      this.retry = setTimeout(() => {
        this.start().then(() => {
          this.log.info('change listener restored');
          this.listeners.reset?.();
          this.broadcastAll({ type: 'RESYNC' });
        }, (err: unknown) => {
          this.log.warn({ err }, 'change listener retry failed');
          if (!this.stopped) attempt(Math.min(delay * 2, 10_000));
        });
      }, delay);
    };
    attempt(200);
  }

  private onNotice(payload: string): void {
    let notice: z.infer<typeof Notice>;
    try {
      notice = Notice.parse(JSON.parse(payload));
    } catch {
      this.log.warn({ payload: payload.slice(0, 200) }, 'ignored malformed change notice');
      return;
    }
    if ('sid' in notice) {
      this.listeners.sessionRevoked?.(notice.sid);
      for (const c of this.clients.get(notice.t) ?? []) {
        if (c.sessionId === notice.sid) c.close?.('SESSION_REVOKED', 'this device session was revoked; sign in again');
      }
      return;
    }
    // Caches first: a client told about this change must not be served a page from before it.
    this.listeners.change?.(notice.t, notice.c);
    const key = `${notice.t}\u0000${notice.c}`;
    const pending = this.throttled.get(key);
    if (pending) {
      pending.seq = Math.max(pending.seq ?? 0, notice.s);
      return;
    }
    this.fanOut(notice.t, notice.c, notice.s);
    const arm = (): NodeJS.Timeout => setTimeout(() => {
      const p = this.throttled.get(key);
      if (p?.seq === undefined) {
        this.throttled.delete(key);
        return;
      }
      this.fanOut(notice.t, notice.c, p.seq);
      p.seq = undefined;
      p.timer = arm();
    }, this.throttleMs);
    this.throttled.set(key, { seq: undefined, timer: arm() });
  }

  private fanOut(tenantId: string, collection: string, seq: number): void {
    const set = this.clients.get(tenantId);
    if (!set) return;
    for (const c of set) c.send({ type: 'CHANGE', collection, seq });
  }

  private broadcastAll(msg: StreamServerMessage): void {
    for (const set of this.clients.values()) for (const c of set) c.send(msg);
  }

  add(client: StreamClient): void {
    let set = this.clients.get(client.tenantId);
    if (!set) this.clients.set(client.tenantId, (set = new Set()));
    set.add(client);
  }

  remove(client: StreamClient): void {
    const set = this.clients.get(client.tenantId);
    set?.delete(client);
    if (set && set.size === 0) this.clients.delete(client.tenantId);
  }

  get size(): number {
    let n = 0;
    for (const s of this.clients.values()) n += s.size;
    return n;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    for (const p of this.throttled.values()) clearTimeout(p.timer);
    this.throttled.clear();
    await this.unlisten?.();
  }
}
