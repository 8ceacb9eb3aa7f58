import { sameDoc } from '../../shared/conflict-merge';
import { AppError, ErrorCode, describeIssues } from '../../shared/errors';
import { appendOnlyCollections, collections, type CollectionName } from '../../shared/model/documents';
import type { PushRequest } from '../../shared/sync-protocol';
import { audit } from '../audit';
import type { AuthContext } from '../auth/tokens';
import type { Queryable } from '../db';
import { notifyChange } from '../doc-store';
import { lockTenantWrites } from '../tenant-tx';
import { mayWrite } from './scope';

type Doc = Record<string, unknown>;

export interface PushOutcome {
  conflicts: Doc[];
  written: number;
  maxSeq: number | undefined;
}

/**
 * Applies a replication push inside the caller's tenant transaction. A row is written only when its
 * assumed master state matches the stored document; otherwise the stored document comes back as a
 * conflict and nothing is overwritten. Any invalid or forbidden row fails the whole push (the
 * transaction rolls back), so a push is never half-applied.
 */
export async function applyPush(tx: Queryable, ctx: AuthContext, collection: CollectionName, rows: PushRequest['rows']): Promise<PushOutcome> {
  const schema = collections[collection];
  const docs = rows.map((row, i) => {
    const parsed = schema.safeParse(row.newDocumentState);
    if (!parsed.success) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, `rows.${i}.newDocumentState: ${describeIssues(parsed.error.issues)}`, { row: i });
    }
    const doc = parsed.data as Doc & { id: string; tenantId: string; updatedAt: number; _deleted: boolean };
    // PostgreSQL's jsonb cannot hold U+0000; refuse it as input rather than fail as a server error.
    if (JSON.stringify(doc).includes('\\u0000')) throw new AppError(ErrorCode.VALIDATION_FAILED, `rows.${i}: text contains U+0000`, { row: i });
    if (doc.tenantId !== ctx.tenantId) throw new AppError(ErrorCode.FORBIDDEN, `rows.${i}: document belongs to another tenant`, { row: i });
    return { doc, assumed: row.assumedMasterState ?? undefined };
  });
  if (!docs.length) return { conflicts: [], written: 0, maxSeq: undefined };

  await lockTenantWrites(tx, ctx.tenantId);
  const appendOnly = appendOnlyCollections.has(collection);
  // One read for every master state, one write for every accepted row: a push costs the same few
  // round trips whatever its size.
  const ids = [...new Set(docs.map((d) => d.doc.id))];
  const current = await tx.query<{ id: string; data: Doc }>(
    'select id, data from docs where tenant_id = $1 and collection = $2 and id = any($3::text[]) for update', [ctx.tenantId, collection, ids]);
  const masters = new Map(current.map((r) => [r.id, r.data]));
  const writes = new Map<string, Doc & { id: string; updatedAt: number; _deleted: boolean }>();
  const audits: Array<Parameters<typeof audit>[1]> = [];
  const conflicts: Doc[] = [];
  for (const [i, { doc, assumed }] of docs.entries()) {
    const master = masters.get(doc.id);
    if (!mayWrite(ctx, collection, doc, master)) {
      throw new AppError(ErrorCode.FORBIDDEN, `rows.${i}: role ${ctx.role} may not write this ${collection} document`, { row: i });
    }
    if (master) {
      // Re-sending what the server already holds (a retry after a lost response) is a no-op: exactly-once.
      if (sameDoc(master, doc)) continue;
      if (appendOnly || !assumed || !sameDoc(master, assumed)) {
        conflicts.push(master);
        continue;
      }
    }
    if (doc._deleted && !master?._deleted) {
      audits.push({ tenantId: ctx.tenantId, actorId: ctx.userId, action: 'delete', target: `${collection}/${doc.id}` });
    }
    if (collection === 'customers' && doc.mergedInto && doc.mergedInto !== master?.mergedInto) {
      audits.push({ tenantId: ctx.tenantId, actorId: ctx.userId, action: 'merge', target: `customers/${doc.id}`, details: { into: doc.mergedInto } });
    }
    // A later row for the same id in this push sees this one as the master.
    masters.set(doc.id, doc);
    writes.set(doc.id, doc);
  }
  let maxSeq: number | undefined;
  if (writes.size) {
    const rowsJson = JSON.stringify([...writes.values()].map((d) => ({ id: d.id, updated_at: d.updatedAt, deleted: d._deleted, data: d })));
    const out = await tx.query<{ seq: number }>(
      `insert into docs (tenant_id, collection, id, seq, updated_at, deleted, data)
       select $1, $2, x.id, nextval('doc_seq'), x.updated_at, x.deleted, x.data
         from jsonb_to_recordset($3::jsonb) as x(id text, updated_at bigint, deleted boolean, data jsonb)
       on conflict (tenant_id, collection, id) do update
         set seq = excluded.seq, tx = pg_current_xact_id(), updated_at = excluded.updated_at,
             deleted = excluded.deleted, data = excluded.data
       returning seq`,
      [ctx.tenantId, collection, rowsJson],
    );
    maxSeq = Math.max(...out.map((r) => r.seq));
  }
  for (const a of audits) await audit(tx, a);
  const written = writes.size;
  if (maxSeq !== undefined) await notifyChange(tx, ctx.tenantId, collection, maxSeq);
  return { conflicts, written, maxSeq };
}
