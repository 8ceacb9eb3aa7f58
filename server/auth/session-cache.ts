import type { Db } from '../db';
import { withTenant } from '../tenant-tx';
import { assertSessionLive, type AuthContext } from './tokens';

/**
 * Remembers, per node and briefly, that a device session was live, so the hot sync routes do not
 * ask the database on every request. Revocation stays immediate: the revoking node drops the entry
 * itself, every other node drops it on the `{t, sid}` change notice, and a node that lost its
 * LISTEN connection clears everything. A check that raced a revocation is not cached.
 */
export class SessionCache {
  private readonly live = new Map<string, number>();
  private generation = 0;

  constructor(private readonly db: Db, private readonly ttlMs = 30_000, private readonly maxEntries = 10_000) {}

  async assertLive(ctx: AuthContext): Promise<void> {
    const until = this.live.get(ctx.sessionId);
    if (until !== undefined && until > Date.now()) return;
    const gen = this.generation;
    await withTenant(this.db, ctx.tenantId, (tx) => assertSessionLive(tx, ctx));
    if (gen !== this.generation) return;
    if (this.live.size >= this.maxEntries) this.live.delete(this.live.keys().next().value as string);
    this.live.set(ctx.sessionId, Date.now() + this.ttlMs);
  }

  revoke(sessionId: string): void {
    this.generation++;
    this.live.delete(sessionId);
  }

  clear(): void {
    this.generation++;
    this.live.clear();
  }
}
