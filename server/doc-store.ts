import type { CollectionName } from '../shared/model/documents';
import type { Queryable } from './db';
import { lockTenantWrites } from './tenant-tx';

export interface StoredDoc {
  id: string;
  tenantId: string;
  updatedAt: number;
  _deleted?: boolean;
  [k: string]: unknown;
}

/** NOTIFY channel: payload `{"t":tenant,"c":collection,"s":seq}` — small, clients pull the rest. */
export const CHANGE_CHANNEL = 'threadline_changes';

/**
 * Writes documents as the server's truth (seeding, ingress). Replication pushes go through conflict
 * checks instead (sync/push.ts). Call inside `withTenant` so row-level security applies. Takes the
 * tenant write lock (see lockTenantWrites) and announces the change on commit to every node.
 */
export async function putDocs(tx: Queryable, collection: CollectionName, docs: readonly StoredDoc[]): Promise<void> {
  const tenants = new Set<string>();
  const maxSeq = new Map<string, number>();
  for (const d of docs) {
    if (!tenants.has(d.tenantId)) {
      await lockTenantWrites(tx, d.tenantId);
      tenants.add(d.tenantId);
    }
    const [row] = await tx.query<{ seq: number }>(
      `insert into docs (tenant_id, collection, id, seq, updated_at, deleted, data)
       values ($1, $2, $3, nextval('doc_seq'), $4, $5, $6)
       on conflict (tenant_id, collection, id) do update
         set seq = excluded.seq, tx = pg_current_xact_id(), updated_at = excluded.updated_at,
             deleted = excluded.deleted, data = excluded.data
       returning seq`,
      [d.tenantId, collection, d.id, d.updatedAt, d._deleted ?? false, JSON.stringify({ ...d, _deleted: d._deleted ?? false })],
    );
    if (row) maxSeq.set(d.tenantId, Math.max(maxSeq.get(d.tenantId) ?? 0, row.seq));
  }
  for (const [tenantId, seq] of maxSeq) await notifyChange(tx, tenantId, collection, seq);
}

/** Delivered by PostgreSQL only if and when the transaction commits. */
export async function notifyChange(tx: Queryable, tenantId: string, collection: string, seq: number): Promise<void> {
  await tx.query('select pg_notify($1, $2)', [CHANGE_CHANNEL, JSON.stringify({ t: tenantId, c: collection, s: seq })]);
}

/** Tells every node to forget a cached "session is live" (see auth/session-cache.ts); delivered on commit. */
export async function notifySessionRevoked(tx: Queryable, tenantId: string, sessionId: string): Promise<void> {
  await tx.query('select pg_notify($1, $2)', [CHANGE_CHANNEL, JSON.stringify({ t: tenantId, sid: sessionId })]);
}
