import type { Queryable } from './db';

/** What the audit trail records. Stable strings: reports and exports filter on them. */
export type AuditAction =
  | 'login' | 'login_failed' | 'logout' | 'refresh_reused' | 'session_revoked'
  | 'export' | 'merge' | 'delete' | 'admin_change';

export interface AuditEntry {
  tenantId: string;
  actorId?: string | undefined;
  action: AuditAction;
  target?: string | undefined;
  details?: Record<string, unknown>;
}

/**
 * Appends an audit row in the caller's transaction, so the record exists exactly when the audited
 * change does. Call inside `withTenant`: row-level security rejects rows for any other tenant.
 */
export async function audit(tx: Queryable, e: AuditEntry): Promise<void> {
  await tx.query(
    'insert into audit (tenant_id, actor_id, action, target, details) values ($1, $2, $3, $4, $5)',
    [e.tenantId, e.actorId ?? null, e.action, e.target ?? null, JSON.stringify(e.details ?? {})],
  );
}
