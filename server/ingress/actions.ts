import { AppError, ErrorCode } from '../../shared/errors';
import { identityDocId, normalizeIdentity, type RawIdentity } from '../../shared/identity';
import { newId } from '../../shared/ids';
import type { CollectionName, CustomerDoc, IdentityDoc, InteractionDoc, ThreadDoc } from '../../shared/model/documents';
import { decideThread, type InteractionRef, type ThreadState } from '../../shared/thread-assembly';
import type { Queryable } from '../db';
import { putDocs, type StoredDoc } from '../doc-store';
import { lockTenantWrites } from '../tenant-tx';
import { customerFamily, customerHistory, getDoc, interactionAt, resolveCustomer, tenantSettings } from './store';

/**
 * Agent actions on customers: link an identity, merge two customers, undo either. Every document an
 * action changes is saved as it was before (first touch wins), so undo restores exactly that state;
 * the merged customer keeps its id and `mergedInto`, so old references keep resolving.
 */

interface Touched { collection: CollectionName; doc: StoredDoc }

class ActionLog {
  readonly before = new Map<string, Touched>();
  readonly created: Array<{ collection: CollectionName; id: string }> = [];
  constructor(private readonly tx: Queryable, readonly now: number) {}

  async write(collection: CollectionName, doc: StoredDoc, previous: StoredDoc | undefined): Promise<void> {
    const key = `${collection}/${doc.id}`;
    if (previous) {
      if (!this.before.has(key)) this.before.set(key, { collection, doc: previous });
    } else if (!this.created.some((c) => c.collection === collection && c.id === doc.id)) {
      this.created.push({ collection, id: doc.id });
    }
    await putDocs(this.tx, collection, [{ ...doc, updatedAt: this.now }]);
  }
}

export interface ActionResult {
  actionId: string;
  customerId: string;
  movedInteractions: string[];
  mergedCustomerId?: string | undefined;
}

async function record(tx: Queryable, tenantId: string, actorId: string | undefined, action: 'link' | 'merge', targetId: string, sourceId: string | undefined, log: ActionLog): Promise<string> {
  const id = newId(log.now);
  await tx.query(
    `insert into customer_actions (id, tenant_id, actor_id, action, target_customer_id, source_customer_id, before, created_ids)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, tenantId, actorId ?? null, action, targetId, sourceId ?? null, JSON.stringify({ at: log.now, docs: [...log.before.values()] }), JSON.stringify(log.created)],
  );
  return id;
}

/**
 * Moves the source customer's contacts into the target's history. Each interaction, oldest first,
 * gets the same thread decision a fresh contact would get; joined interactions record their hop.
 */
async function rethread(tx: Queryable, tenantId: string, log: ActionLog, target: CustomerDoc, sourceFamily: string[], windowDays: number): Promise<string[]> {
  // The source is already marked merged, so the target's family includes it: leave it out here.
  const targetFamily = (await customerFamily(tx, tenantId, target.id)).filter((id) => !sourceFamily.includes(id));
  const targetHistory = await customerHistory(tx, tenantId, targetFamily);
  const source = await customerHistory(tx, tenantId, sourceFamily);
  const threads = new Map<string, ThreadState & { doc: ThreadDoc }>(targetHistory.threads.map((t) => [t.id, { ...t, doc: t }]));
  const refs: InteractionRef[] = targetHistory.interactions.map((ix) => ({ id: ix.id, threadId: ix.threadId, channel: ix.channel, at: interactionAt(ix) }));
  const sourceThreads = new Map(source.threads.map((t) => [t.id, t]));
  const moved: string[] = [];
  const ordered = [...source.interactions].sort((a, b) => interactionAt(a) - interactionAt(b) || (a.id < b.id ? -1 : 1));
  for (const ix of ordered) {
    const at = interactionAt(ix);
    const d = decideThread({ id: ix.id, channel: ix.channel, at }, [...threads.values()], refs, { threadWindowDays: windowDays });
    let threadId = ix.threadId;
    let hopFrom = ix.hopFrom;
    if (d.kind === 'join') {
      threadId = d.threadId;
      hopFrom = d.hopFrom;
    } else if (!threads.has(ix.threadId)) {
      const own = sourceThreads.get(ix.threadId);
      if (own) threads.set(own.id, { ...own, doc: own });
    }
    const t = threads.get(threadId);
    if (t) threads.set(threadId, { ...t, lastActivityAt: Math.max(t.lastActivityAt, at) });
    refs.push({ id: ix.id, threadId, channel: ix.channel, at });
    const next: InteractionDoc = { ...ix, threadId, customerId: target.id };
    if (hopFrom) next.hopFrom = hopFrom;
    else delete next.hopFrom;
    await log.write('interactions', next, ix);
    moved.push(ix.id);
  }
  // Threads: the target's joined ones advance; a source thread either moves to the target whole or,
  // emptied, is retired (soft-deleted, restorable by undo).
  const used = new Set(refs.map((r) => r.threadId));
  for (const t of threads.values()) {
    const { doc, ...state } = t;
    const lastChannel = refs.filter((r) => r.threadId === t.id).sort((a, b) => b.at - a.at)[0]?.channel;
    if (doc.lastActivityAt !== state.lastActivityAt || doc.customerId !== target.id) {
      await log.write('threads', { ...doc, customerId: target.id, lastActivityAt: state.lastActivityAt, ...(lastChannel ? { lastChannel } : {}) }, doc);
    }
  }
  for (const st of source.threads) {
    if (!used.has(st.id)) await log.write('threads', { ...st, _deleted: true }, st);
  }
  return moved;
}

async function mergeInto(tx: Queryable, tenantId: string, log: ActionLog, target: CustomerDoc, source: CustomerDoc, windowDays: number): Promise<{ target: CustomerDoc; moved: string[] }> {
  const sourceFamily = await customerFamily(tx, tenantId, source.id);
  const ids = await tx.query<{ data: IdentityDoc }>(
    `select data from docs where tenant_id = $1 and collection = 'identities' and data->>'customerId' = any($2::text[]) and not deleted`, [tenantId, sourceFamily]);
  for (const { data } of ids) await log.write('identities', { ...data, customerId: target.id }, data);
  const seen = new Set(target.identities.map((i) => `${i.kind}:${i.value}`));
  const identities = [...target.identities];
  for (const i of source.identities) {
    if (!seen.has(`${i.kind}:${i.value}`) && identities.length < 50) {
      identities.push(i);
      seen.add(`${i.kind}:${i.value}`);
    }
  }
  // An agent who merges two records vouches that they are one known person.
  const nextTarget: CustomerDoc = { ...target, identities, provisional: false };
  await log.write('customers', nextTarget, target);
  await log.write('customers', { ...source, mergedInto: target.id, identities: [] }, source);
  const moved = await rethread(tx, tenantId, log, nextTarget, sourceFamily, windowDays);
  return { target: nextTarget, moved };
}

export async function linkIdentity(tx: Queryable, tenantId: string, actorId: string | undefined, customerId: string, raw: RawIdentity, now = Date.now()): Promise<ActionResult> {
  await lockTenantWrites(tx, tenantId);
  const settings = await tenantSettings(tx, tenantId);
  const norm = normalizeIdentity(raw, settings.defaultRegion);
  if (!norm.ok) throw new AppError(ErrorCode.INGRESS_IDENTITY_INVALID, norm.message, { identityCode: norm.code });
  const target = await resolveCustomer(tx, tenantId, customerId);
  if (!target) throw new AppError(ErrorCode.NOT_FOUND, `no customer ${customerId}`);
  const log = new ActionLog(tx, now);
  const idDocId = identityDocId(norm.kind, norm.value);
  const existing = await getDoc<IdentityDoc>(tx, tenantId, 'identities', idDocId);
  const owner = existing ? await resolveCustomer(tx, tenantId, existing.customerId) : undefined;
  if (owner?.id === target.id) throw new AppError(ErrorCode.CONFLICT, `${norm.kind} ${norm.value} already belongs to this customer`);

  let result: ActionResult;
  if (owner && owner.provisional && owner.identities.length <= 1) {
    // The identity is all the provisional customer is: linking it means they are one person.
    const { moved } = await mergeInto(tx, tenantId, log, target, owner, settings.threadWindowDays);
    result = { actionId: '', customerId: target.id, movedInteractions: moved, mergedCustomerId: owner.id };
  } else {
    if (target.identities.length >= 50) throw new AppError(ErrorCode.VALIDATION_FAILED, 'a customer has at most 50 identities');
    const ident: IdentityDoc = { id: idDocId, tenantId, updatedAt: now, _deleted: false, kind: norm.kind, value: norm.value, customerId: target.id };
    await log.write('identities', ident, existing);
    if (owner) {
      await log.write('customers', { ...owner, identities: owner.identities.filter((i) => !(i.kind === norm.kind && i.value === norm.value)) }, owner);
    }
    await log.write('customers', { ...target, provisional: false, identities: [...target.identities, { kind: norm.kind, value: norm.value }] }, target);
    result = { actionId: '', customerId: target.id, movedInteractions: [] };
  }
  result.actionId = await record(tx, tenantId, actorId, 'link', target.id, owner?.id, log);
  return result;
}

export async function mergeCustomers(tx: Queryable, tenantId: string, actorId: string | undefined, targetId: string, sourceId: string, now = Date.now()): Promise<ActionResult> {
  await lockTenantWrites(tx, tenantId);
  const settings = await tenantSettings(tx, tenantId);
  const target = await resolveCustomer(tx, tenantId, targetId);
  const source = await resolveCustomer(tx, tenantId, sourceId);
  if (!target || !source) throw new AppError(ErrorCode.NOT_FOUND, `no customer ${!target ? targetId : sourceId}`);
  if (target.id === source.id) throw new AppError(ErrorCode.CONFLICT, 'these customers are already one');
  const log = new ActionLog(tx, now);
  const { moved } = await mergeInto(tx, tenantId, log, target, source, settings.threadWindowDays);
  const actionId = await record(tx, tenantId, actorId, 'merge', target.id, source.id, log);
  return { actionId, customerId: target.id, movedInteractions: moved, mergedCustomerId: source.id };
}

/**
 * Restores every document the action changed and retires the ones it created. Refused when any of
 * them changed since (a new contact joined, someone edited the customer): undoing would silently
 * drop that later work.
 */
export async function undoAction(tx: Queryable, tenantId: string, actorId: string | undefined, actionId: string, now = Date.now()): Promise<{ restored: number }> {
  await lockTenantWrites(tx, tenantId);
  const [row] = await tx.query<{ before: { at: number; docs: Touched[] }; created_ids: Array<{ collection: CollectionName; id: string }>; undone_at: string | null }>(
    'select before, created_ids, undone_at from customer_actions where tenant_id = $1 and id = $2 for update', [tenantId, actionId]);
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `no customer action ${actionId}`);
  if (row.undone_at) throw new AppError(ErrorCode.CONFLICT, 'this action was already undone');
  const touched = [...row.before.docs.map((t) => ({ collection: t.collection, id: t.doc.id })), ...row.created_ids];
  for (const t of touched) {
    const [cur] = await tx.query<{ updated_at: number }>('select updated_at from docs where tenant_id = $1 and collection = $2 and id = $3', [tenantId, t.collection, t.id]);
    if (cur && Number(cur.updated_at) > row.before.at) {
      throw new AppError(ErrorCode.CONFLICT, `cannot undo: ${t.collection} ${t.id} changed after the action`);
    }
  }
  for (const t of row.before.docs) await putDocs(tx, t.collection, [{ ...t.doc, updatedAt: now }]);
  for (const c of row.created_ids) {
    const doc = await getDoc<StoredDoc>(tx, tenantId, c.collection, c.id);
    if (doc) await putDocs(tx, c.collection, [{ ...doc, updatedAt: now, _deleted: true }]);
  }
  await tx.query('update customer_actions set undone_at = now(), undone_by = $3 where tenant_id = $1 and id = $2', [tenantId, actionId, actorId ?? null]);
  return { restored: row.before.docs.length + row.created_ids.length };
}

