import type { CollectionName } from '../../shared/model/documents';
import type { Queryable } from '../db';
import type { AuthContext } from '../auth/tokens';

export const DEFAULT_WINDOW_DAYS = 14;
const DAY_MS = 86_400_000;

/**
 * A SQL condition over `d` (the docs row) limiting what a role may pull, plus its parameters, numbered
 * from `firstParam`. Agents get their tenant's reference data whole; conversations touched within the
 * tenant's window (config `tenant_settings.data.threadWindowDays`) or routed to their queues or to
 * them; only their own offers and evaluations. Supervisors and admins see the whole tenant.
 */
export interface Scope { sql: string; params: unknown[] }

const TENANT_WIDE: ReadonlySet<CollectionName> = new Set(['customers', 'identities', 'config', 'agents', 'broadcasts', 'knowledge']);

/** Pulls with equal keys return equal results for the same tenant, collection and checkpoint. */
export function scopeKey(ctx: AuthContext, collection: CollectionName): string {
  return ctx.role !== 'agent' || TENANT_WIDE.has(collection) ? 'all' : `agent:${ctx.agentId ?? ''}`;
}

export async function scopeFor(tx: Queryable, ctx: AuthContext, collection: CollectionName, firstParam: number, now = Date.now()): Promise<Scope> {
  if (ctx.role !== 'agent') return { sql: 'true', params: [] };
  const p = (i: number) => `$${firstParam + i}`;
  const agent = ctx.agentId ?? '';
  switch (collection) {
    case 'customers': case 'identities': case 'config': case 'agents': case 'broadcasts': case 'knowledge':
      return { sql: 'true', params: [] };
    case 'offers': case 'evaluations':
      return { sql: `d.data->>'agentId' = ${p(0)}`, params: [agent] };
    default:
      break;
  }
  const [settings] = await tx.query<{ days: number | null }>(
    `select (data->'data'->>'threadWindowDays')::int as days from docs
      where collection = 'config' and data->>'kind' = 'tenant_settings' and not deleted limit 1`);
  const days = settings?.days && settings.days > 0 && settings.days <= 3650 ? settings.days : DEFAULT_WINDOW_DAYS;
  const cutoff = now - days * DAY_MS;
  const myQueues = `(select jsonb_array_elements_text(a.data->'queueIds') from docs a
                      where a.tenant_id = d.tenant_id and a.collection = 'agents' and a.id = ${p(1)})`;
  const interactionMine = (alias: string) =>
    `(${alias}.data->>'agentId' = ${p(1)} or ${alias}.data->>'queueId' in ${myQueues})`;
  switch (collection) {
    case 'interactions':
      return { sql: `(d.updated_at >= ${p(0)} or ${interactionMine('d')})`, params: [cutoff, agent] };
    case 'threads':
      return {
        sql: `(d.updated_at >= ${p(0)} or (d.data->>'lastActivityAt')::bigint >= ${p(0)} or exists (
                select 1 from docs i where i.tenant_id = d.tenant_id and i.collection = 'interactions'
                   and i.data->>'threadId' = d.id and ${interactionMine('i')}))`,
        params: [cutoff, agent],
      };
    case 'events': case 'surveys':
      return {
        sql: `(d.updated_at >= ${p(0)} or exists (
                select 1 from docs i where i.tenant_id = d.tenant_id and i.collection = 'interactions'
                   and i.id = d.data->>'interactionId' and ${interactionMine('i')}))`,
        params: [cutoff, agent],
      };
    default: {
      const never: never = collection;
      throw new Error(`no scope rule for ${String(never)}`);
    }
  }
}

/** Who may write what. Pushes are rejected whole when any row breaks this (nothing half-written). */
export function mayWrite(ctx: AuthContext, collection: CollectionName, doc: Record<string, unknown>, master: Record<string, unknown> | undefined): boolean {
  if (ctx.role !== 'agent') return true;
  const mine = (d: Record<string, unknown> | undefined) => d === undefined || (ctx.agentId !== undefined && d.agentId === ctx.agentId);
  switch (collection) {
    case 'config': case 'broadcasts': case 'knowledge':
      return false;
    case 'agents':
      return ctx.agentId !== undefined && doc.id === ctx.agentId && (master === undefined || master.id === ctx.agentId);
    case 'offers':
      return mine(doc) && mine(master);
    case 'evaluations':
      // Agents acknowledge their evaluations; they never create one.
      return master !== undefined && mine(doc) && mine(master);
    default:
      return true;
  }
}
