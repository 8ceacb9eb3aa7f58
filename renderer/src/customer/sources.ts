import { z } from 'zod';
import { CustomerDoc, type IdentityKind } from '../../../shared/model/documents';
import type { ReplicaDatabase } from '../replica/database';
import { readApiError, type TokenStore } from '../session/token-store';
import type { ReplyChannel } from '../timeline/Composer';
import { TimelineData } from '../timeline/model';
import { replicaTimeline } from '../timeline/replica-source';

/**
 * Where the customer view gets and sends its data. The HTTP source talks to the server's timeline
 * and action routes; `replicaTimeline` (replica-source.ts) reads the same shape from the local
 * RxDB replica, so the view does not care which one it has.
 */
export interface CustomerSource {
  search(q: string): Promise<CustomerDoc[]>;
  timeline(customerId: string): Promise<TimelineData>;
  reply(threadId: string, channel: ReplyChannel, text: string): Promise<void>;
  link(customerId: string, kind: IdentityKind, value: string): Promise<{ actionId: string }>;
  undo(actionId: string): Promise<void>;
  /** An email attachment's bytes (always handed to the user as a download, never rendered). */
  attachment(id: string): Promise<Blob>;
  /** Calls back when the underlying data changed (replica writes, synced pulls); returns an unsubscribe. */
  subscribe?(fn: () => void): () => void;
}

const SearchResult = z.object({ customers: z.array(CustomerDoc) });
const ActionResult = z.object({ actionId: z.string() });

export function httpCustomerSource(tokens: TokenStore): CustomerSource {
  const json = async (path: string, init?: RequestInit): Promise<unknown> => {
    const res = await tokens.authorizedFetch(path, init ? { ...init, headers: { 'content-type': 'application/json' } } : {});
    if (!res.ok) throw await readApiError(res);
    return res.json();
  };
  return {
    async search(q) {
      return SearchResult.parse(await json(`/customers?q=${encodeURIComponent(q)}&limit=50`)).customers;
    },
    async timeline(customerId) {
      return TimelineData.parse(await json(`/customers/${encodeURIComponent(customerId)}/timeline`));
    },
    async reply(threadId, channel, text) {
      await json(`/threads/${encodeURIComponent(threadId)}/replies`, { method: 'POST', body: JSON.stringify({ channel, text }) });
    },
    async link(customerId, kind, value) {
      return ActionResult.parse(await json(`/customers/${encodeURIComponent(customerId)}/identities`, { method: 'POST', body: JSON.stringify({ kind, value }) }));
    },
    async undo(actionId) {
      await json(`/customer-actions/${encodeURIComponent(actionId)}/undo`, { method: 'POST', body: '{}' });
    },
    async attachment(id) {
      const res = await tokens.authorizedFetch(`/attachments/${encodeURIComponent(id)}`);
      if (!res.ok) throw await readApiError(res);
      return res.blob();
    },
  };
}

/**
 * Reads from the local replica (works offline, updates live as sync pulls changes); actions that
 * need the server (sending a reply, linking an identity) still go over HTTP.
 */
export function replicaCustomerSource(db: ReplicaDatabase, tokens: TokenStore): CustomerSource {
  const http = httpCustomerSource(tokens);
  return {
    ...http,
    async search(q) {
      const needle = q.trim().toLowerCase();
      const all = await db.customers.find({ selector: { mergedInto: { $exists: false } }, sort: [{ updatedAt: 'desc' }] }).exec();
      return all
        .map((d) => CustomerDoc.parse({ ...d.toJSON(), _deleted: false }))
        .filter((c) => !needle || c.name.toLowerCase().includes(needle) || c.identities.some((i) => i.value.includes(needle)) || (c.company ?? '').toLowerCase().includes(needle))
        .slice(0, 50);
    },
    async timeline(customerId) {
      const t = await replicaTimeline(db, customerId);
      if (!t) throw new Error('this customer is not on this machine yet');
      return t;
    },
    subscribe(fn) {
      const subs = [db.customers.$.subscribe(() => fn()), db.threads.$.subscribe(() => fn()), db.interactions.$.subscribe(() => fn()), db.events.$.subscribe(() => fn())];
      return () => subs.forEach((s) => s.unsubscribe());
    },
  };
}
