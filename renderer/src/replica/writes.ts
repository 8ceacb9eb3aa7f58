import { ulid } from 'ulid';
import { sameDoc, stampEdit, type MergeableDoc } from '../../../shared/conflict-merge';
import { AppError, ErrorCode, describeIssues } from '../../../shared/errors';
import { collections, type CollectionName, type EventDoc } from '../../../shared/model/documents';
import type { ReplicaDatabase, ReplicaDocTypes } from './database';
import type { Outbox } from './outbox';

export interface Writer {
  db: ReplicaDatabase;
  outbox: Outbox;
  tenantId: string;
  now?: () => number;
}

const withoutRxFields = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith('_')));

/**
 * Every local write lands in the replica at once (RxDB's replication pushes it when the link allows)
 * and is marked "not yet synced" first, so a crash can leave a stale marker but never a silent write.
 * Documents are validated with the shared zod schema before they touch the replica.
 */
export async function writeLocal<C extends CollectionName>(w: Writer, collection: C, doc: Record<string, unknown>): Promise<ReplicaDocTypes[C]> {
  const parsed = collections[collection].safeParse(doc);
  if (!parsed.success) throw new AppError(ErrorCode.VALIDATION_FAILED, describeIssues(parsed.error.issues), parsed.error.issues.slice(0, 10));
  const { _deleted, ...data } = parsed.data as Record<string, unknown> & { id: string; updatedAt: number; _deleted: boolean };
  if (_deleted) throw new AppError(ErrorCode.VALIDATION_FAILED, 'use removeLocal to delete');
  const existing = await w.db.collections[collection].findOne(data.id).exec();
  // Writing what is already there changes nothing and would never be pushed: no marker, or it would stay forever.
  if (existing && sameDoc(withoutRxFields(existing.toMutableJSON() as Record<string, unknown>), data)) return data as unknown as ReplicaDocTypes[C];
  await w.outbox.mark(collection, data.id, data.updatedAt);
  const col = w.db.collections[collection] as unknown as { incrementalUpsert(d: Record<string, unknown>): Promise<unknown> };
  await col.incrementalUpsert(data);
  return data as unknown as ReplicaDocTypes[C];
}

export interface EventContext {
  threadId: string;
  interactionId: string;
  customerId: string;
  authorId?: string;
}

/** Notes and wrap-ups are append-only events: they never conflict, so offline edits cannot be lost to a merge. */
export async function addEvent(w: Writer, ctx: EventContext, kind: EventDoc['kind'], body: Record<string, unknown>): Promise<ReplicaDocTypes['events']> {
  const at = (w.now ?? Date.now)();
  return writeLocal(w, 'events', {
    id: ulid(at),
    tenantId: w.tenantId,
    updatedAt: at,
    at,
    kind,
    body,
    ...ctx,
  });
}

export function addNote(w: Writer, ctx: EventContext, text: string) {
  return addEvent(w, ctx, 'note', { text });
}

export function addWrapup(w: Writer, ctx: EventContext, wrapup: { reasons: string[]; outcome: string; notes?: string; reasonListVersion?: number }) {
  return addEvent(w, ctx, 'wrapup', wrapup);
}

/** Edits a mutable document; per-field times let a concurrent edit elsewhere merge instead of overwrite. */
export async function editDoc<C extends CollectionName>(w: Writer, collection: C, id: string, patch: Record<string, unknown>): Promise<ReplicaDocTypes[C]> {
  const current = await w.db.collections[collection].findOne(id).exec();
  if (!current) throw new AppError(ErrorCode.NOT_FOUND, `${collection} ${id} is not in the replica`);
  const prev = current.toMutableJSON() as unknown as MergeableDoc;
  const next = stampEdit(prev, { ...prev, ...patch } as MergeableDoc, (w.now ?? Date.now)());
  return writeLocal(w, collection, { ...next, tenantId: w.tenantId });
}
