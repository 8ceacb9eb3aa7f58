import type { PullResponse } from '../../shared/sync-protocol';

/**
 * Coalesces identical pulls on one node. After a change, every client of the tenant pulls the same
 * page at once; they share one query. Entries for a tenant+collection are dropped when its change
 * notice arrives, and the hub forwards CHANGE to clients only after that, so a pull prompted by a
 * CHANGE never joins a query that started before the change was visible. A short TTL bounds the
 * damage from a writer that forgets to notify.
 */
export class PullCoalescer {
  private readonly entries = new Map<string, { at: number; p: Promise<PullResponse> }>();

  constructor(private readonly ttlMs = 5_000, private readonly maxEntries = 2_000) {}

  get(tenantId: string, collection: string, rest: string, load: () => Promise<PullResponse>): Promise<PullResponse> {
    const key = `${tenantId}\u0000${collection}\u0000${rest}`;
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.p;
    const p = load();
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { at: Date.now(), p });
    p.catch(() => {
      if (this.entries.get(key)?.p === p) this.entries.delete(key);
    });
    return p;
  }

  invalidate(tenantId: string, collection: string): void {
    const prefix = `${tenantId}\u0000${collection}\u0000`;
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  clear(): void {
    this.entries.clear();
  }
}
