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
    if (doc.tenantId !== ctx.tenantId) throw new AppError(ErrorCode.FORBIDDEN, `rows.${i}: document belongs to another tenant`, { row: i });
    return { doc, assumed: row.assumedMasterState ?? undefined };
  });
  if (!docs.length) return { conflicts: [], written: 0, maxSeq: undefined };

  await lockTenantWrites(tx, ctx.tenantId);
  const appendOnly = appendOnlyCollections.has(collection);
  const conflicts: Doc[] = [];
  let written = 0;
  let maxSeq: number | undefined;
  for (const [i, { doc, assumed }] of docs.entries()) {
    const [current] = await tx.query<{ data: Doc }>(
      'select data from docs where tenant_id = $1 and collection = $2 and id = $3 for update', [ctx.tenantId, collection, doc.id]);
    const master = current?.data;
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
    const [row] = await tx.query<{ seq: number }>(
      `insert into docs (tenant_id, collection, id, seq, updated_at, deleted, data)
       values ($1, $2, $3, nextval('doc_seq'), $4, $5, $6)
       on conflict (tenant_id, collection, id) do update
         set seq = excluded.seq, tx = pg_current_xact_id(), updated_at = excluded.updated_at,
             deleted = excluded.deleted, data = excluded.data
       returning seq`,
      [ctx.tenantId, collection, doc.id, doc.updatedAt, doc._deleted, JSON.stringify(doc)],
    );
    written++;
    if (row) maxSeq = Math.max(maxSeq ?? 0, row.seq);
    if (doc._deleted && !master?._deleted) {
      await audit(tx, { tenantId: ctx.tenantId, actorId: ctx.userId, action: 'delete', target: `${collection}/${doc.id}` });
    }
    if (collection === 'customers' && doc.mergedInto && doc.mergedInto !== master?.mergedInto) {
      await audit(tx, { tenantId: ctx.tenantId, actorId: ctx.userId, action: 'merge', target: `customers/${doc.id}`, details: { into: doc.mergedInto } });
    }
  }
  if (maxSeq !== undefined) await notifyChange(tx, ctx.tenantId, collection, maxSeq);
  return { conflicts, written, maxSeq };
}
