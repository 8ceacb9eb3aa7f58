import { identityDocId, normalizeIdentity } from '../../../shared/identity';
import type { CustomerDoc, EventDoc, IdentityKind, ThreadDoc } from '../../../shared/model/documents';
import type { ReplicaDatabase, ReplicaDocTypes } from './database';

export interface ScreenPopQuery {
  /** A caller's number (any common format), an email address, or a chat/external handle. */
  value: string;
  /** Guessed from the value when absent: contains `@` → email, otherwise phone. */
  kind?: IdentityKind;
  /** Country used to read national-format numbers, e.g. `GB` for `07700 900123`. */
  defaultCountry?: string;
  /** How many recent thread items to return (default 20). */
  limit?: number;
}

export interface ScreenPopResult {
  /** The normalised identity that was looked up, e.g. `phone:+447700900123`. */
  identityId: string;
  customer: ReplicaDocTypes['customers'] | null;
  threads: Array<ReplicaDocTypes['threads']>;
  /** Newest first. */
  items: Array<ReplicaDocTypes['events']>;
}

/**
 * Identities are stored normalised by shared/identity.ts (E.164 phones, lower-cased emails); the
 * lookup runs the same normaliser. SIP URIs are reduced to their user part first.
 */
export function lookupIdentityId(value: string, kind: IdentityKind, defaultCountry = 'US'): string {
  const raw = kind === 'phone' ? value.trim().replace(/^sips?:/i, '').replace(/@.*$/, '') : value;
  const n = normalizeIdentity({ kind, value: raw }, defaultCountry);
  // An unparseable value cannot match a stored identity, but the caller still gets an honest key.
  return identityDocId(kind, n.ok ? n.value : raw.trim());
}

const MAX_MERGE_HOPS = 5;

/**
 * Screen pop from the local replica alone: identity → customer (following merges) → latest threads
 * and thread items. Used by the softphone before the agent answers, so it must never wait on the network.
 */
export async function screenPop(db: ReplicaDatabase, q: ScreenPopQuery): Promise<ScreenPopResult> {
  const kind: IdentityKind = q.kind ?? (q.value.includes('@') && !/^sip:/i.test(q.value) ? 'email' : 'phone');
  const identityId = lookupIdentityId(q.value, kind, q.defaultCountry);
  const identity = await db.identities.findOne(identityId).exec();
  const empty: ScreenPopResult = { identityId, customer: null, threads: [], items: [] };
  if (!identity) return empty;

  const recent = (customerId: string) => Promise.all([
    db.threads
      .find({ selector: { customerId }, sort: [{ customerId: 'desc' }, { lastActivityAt: 'desc' }], limit: 5 })
      .exec(),
    db.events
      .find({ selector: { customerId }, sort: [{ customerId: 'desc' }, { at: 'desc' }], limit: q.limit ?? 20 })
      .exec(),
  ]);
  // The phone is ringing: ask for the customer and their recent items at once instead of one after
  // the other (each is a round trip to the storage worker). Only a merged record needs a second ask.
  const [first, firstRecent] = await Promise.all([db.customers.findOne(identity.customerId).exec(), recent(identity.customerId)]);
  let customer = first;
  for (let hop = 0; customer?.mergedInto && hop < MAX_MERGE_HOPS; hop++) {
    customer = await db.customers.findOne(customer.mergedInto).exec();
  }
  if (!customer) return empty;
  const [threads, items] = customer.id === identity.customerId ? firstRecent : await recent(customer.id);
  return {
    identityId,
    customer: customer.toJSON() as CustomerDoc,
    threads: threads.map((t) => t.toJSON() as ThreadDoc),
    items: items.map((e) => e.toJSON() as EventDoc),
  };
}
