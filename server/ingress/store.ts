import { z } from 'zod';
import { DEFAULT_THREAD_WINDOW_DAYS } from '../../shared/thread-assembly';
import type { CollectionName, CustomerDoc, InteractionDoc, ThreadDoc } from '../../shared/model/documents';
import type { Queryable } from '../db';

/** Reads used by ingress and customer actions. Always called inside `withTenant`. */

export async function getDoc<T>(tx: Queryable, tenantId: string, collection: CollectionName, id: string): Promise<T | undefined> {
  const [row] = await tx.query<{ data: T }>(
    'select data from docs where tenant_id = $1 and collection = $2 and id = $3 and not deleted', [tenantId, collection, id]);
  return row?.data;
}

export async function docsByField<T>(tx: Queryable, tenantId: string, collection: CollectionName, field: 'customerId' | 'interactionId', values: readonly string[]): Promise<T[]> {
  if (!values.length) return [];
  const rows = await tx.query<{ data: T }>(
    `select data from docs where tenant_id = $1 and collection = $2 and data->>'${field}' = any($3::text[]) and not deleted`,
    [tenantId, collection, values],
  );
  return rows.map((r) => r.data);
}

const TenantSettings = z.object({
  defaultRegion: z.string().regex(/^[A-Z]{2}$/).catch('US'),
  threadWindowDays: z.number().min(0).max(3650).catch(DEFAULT_THREAD_WINDOW_DAYS),
});
export type TenantSettings = z.infer<typeof TenantSettings>;

export async function tenantSettings(tx: Queryable, tenantId: string): Promise<TenantSettings> {
  const [row] = await tx.query<{ data: unknown }>(
    `select data->'data' as data from docs where tenant_id = $1 and collection = 'config' and data->>'kind' = 'tenant_settings' and not deleted limit 1`,
    [tenantId],
  );
  const raw = (row?.data && typeof row.data === 'object' ? row.data : {}) as Record<string, unknown>;
  return TenantSettings.parse({ defaultRegion: raw.defaultRegion ?? 'US', threadWindowDays: raw.threadWindowDays ?? DEFAULT_THREAD_WINDOW_DAYS });
}

/** Follows `mergedInto` so an id that was merged away keeps resolving to the surviving customer. */
export async function resolveCustomer(tx: Queryable, tenantId: string, id: string): Promise<CustomerDoc | undefined> {
  let cur = id;
  for (let hops = 0; hops < 16; hops++) {
    const c = await getDoc<CustomerDoc>(tx, tenantId, 'customers', cur);
    if (!c) return undefined;
    if (!c.mergedInto) return c;
    cur = c.mergedInto;
  }
  return undefined;
}

/** The customer and every customer merged into it, directly or through a chain. */
export async function customerFamily(tx: Queryable, tenantId: string, rootId: string): Promise<string[]> {
  const all = new Set([rootId]);
  let frontier = [rootId];
  while (frontier.length && all.size < 1000) {
    const rows = await tx.query<{ id: string }>(
      `select id from docs where tenant_id = $1 and collection = 'customers' and data->>'mergedInto' = any($2::text[])`, [tenantId, frontier]);
    frontier = rows.map((r) => r.id).filter((id) => !all.has(id));
    frontier.forEach((id) => all.add(id));
  }
  return [...all];
}

export interface CustomerHistory {
  threads: ThreadDoc[];
  interactions: InteractionDoc[];
}

export async function customerHistory(tx: Queryable, tenantId: string, customerIds: readonly string[]): Promise<CustomerHistory> {
  const [threads, interactions] = [
    await docsByField<ThreadDoc>(tx, tenantId, 'threads', 'customerId', customerIds),
    await docsByField<InteractionDoc>(tx, tenantId, 'interactions', 'customerId', customerIds),
  ];
  return { threads, interactions };
}

export function interactionAt(ix: Pick<InteractionDoc, 'offeredAt' | 'answeredAt' | 'updatedAt'>): number {
  return ix.offeredAt ?? ix.answeredAt ?? ix.updatedAt;
}
