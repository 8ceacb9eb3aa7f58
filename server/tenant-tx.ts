import type { Db, Queryable } from './db';

/** The role tenant-scoped transactions run as; see migrations/0002_auth_rls.sql. */
export const APP_ROLE = 'threadline_app';

/**
 * Runs `fn` in one transaction that can only see and write `tenantId`'s rows. The connection user is a
 * superuser on PGlite and in CI (superusers bypass row-level security), so the transaction first drops
 * to the unprivileged app role; the tenant is a transaction-local setting, so a pooled connection never
 * carries it into the next request.
 */
export async function withTenant<T>(db: Db, tenantId: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  if (!tenantId) throw new Error('withTenant needs a tenant id');
  // One round trip for both settings (every request pays it): the tenant goes in as a literal.
  if (tenantId.includes('\0')) throw new Error('tenant id contains NUL');
  const literal = `'${tenantId.replace(/'/g, "''")}'`;
  return db.transaction(async (tx) => {
    await tx.exec(`set local role ${APP_ROLE}; select set_config('app.tenant_id', ${literal}, true)`);
    return fn(tx);
  });
}

/**
 * Serializes the tenant's writers until commit, so `seq` values of one tenant become visible in the
 * order they were taken: a pull that has passed seq N can never later see a commit with a lower seq.
 * Transaction-scoped advisory locks work across server nodes sharing the database.
 */
export async function lockTenantWrites(tx: Queryable, tenantId: string): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(7243, hashtext($1))`, [tenantId]);
}
