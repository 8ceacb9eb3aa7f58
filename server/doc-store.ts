import type { CollectionName } from '../shared/model/documents';
import type { Queryable } from './db';

export interface StoredDoc {
  id: string;
  tenantId: string;
  updatedAt: number;
  _deleted?: boolean;
  [k: string]: unknown;
}

/** Writes documents as the server's truth (seeding, ingress). Replication pushes go through conflict checks instead. */
export async function putDocs(tx: Queryable, collection: CollectionName, docs: readonly StoredDoc[]): Promise<void> {
  for (const d of docs) {
    await tx.query(
      `insert into docs (tenant_id, collection, id, seq, updated_at, deleted, data)
       values ($1, $2, $3, nextval('doc_seq'), $4, $5, $6)
       on conflict (tenant_id, collection, id) do update
         set seq = excluded.seq, tx = pg_current_xact_id(), updated_at = excluded.updated_at,
             deleted = excluded.deleted, data = excluded.data`,
      [d.tenantId, collection, d.id, d.updatedAt, d._deleted ?? false, JSON.stringify({ ...d, _deleted: d._deleted ?? false })],
    );
  }
}
