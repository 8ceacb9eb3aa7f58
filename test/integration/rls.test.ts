import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db';
import { putDocs } from '../../server/doc-store';
import { withTenant } from '../../server/tenant-tx';
import { createTestDb } from '../helpers/test-db';

/**
 * Tenant isolation at the SQL level: queries that "forget" the tenant filter still see only the
 * session tenant's rows, and writes into another tenant fail, because every tenant transaction runs
 * as the unprivileged role under row-level security.
 */
let db: Db;
beforeAll(async () => {
  db = await createTestDb();
  for (const t of ['alpha', 'beta']) {
    await db.query('insert into tenants (id, slug, name) values ($1, $1, $1)', [t]);
    await db.query(`insert into users (id, tenant_id, email, display_name, role, password_hash) values ($1, $2, $3, 'U', 'agent', 'x')`, [`u-${t}`, t, `u@${t}`]);
    await withTenant(db, t, (tx) => putDocs(tx, 'customers', [1, 2, 3].map((i) => ({
      id: `${t}-c${i}`, tenantId: t, updatedAt: i, name: `${t} customer ${i}`, identities: [],
    }))));
  }
});
afterAll(async () => {
  await db?.close();
});

describe('row-level security', () => {
  it('a query with no tenant filter returns only the session tenant rows', async () => {
    const rows = await withTenant(db, 'alpha', (tx) => tx.query<{ tenant_id: string; id: string }>('select tenant_id, id from docs order by id'));
    expect(rows.map((r) => r.id)).toEqual(['alpha-c1', 'alpha-c2', 'alpha-c3']);
    const users = await withTenant(db, 'beta', (tx) => tx.query<{ email: string }>('select email from users'));
    expect(users.map((u) => u.email)).toEqual(['u@beta']);
    const tenants = await withTenant(db, 'beta', (tx) => tx.query<{ id: string }>('select id from tenants'));
    expect(tenants.map((t) => t.id)).toEqual(['beta']);
    // An explicit filter for the other tenant finds nothing rather than leaking.
    const leak = await withTenant(db, 'alpha', (tx) => tx.query(`select 1 from docs where tenant_id = 'beta'`));
    expect(leak).toEqual([]);
    // The superuser connection itself sees both (so the above is RLS at work, not an empty table).
    const all = await db.query<{ n: number }>('select count(*)::int as n from docs');
    expect(all[0]!.n).toBe(6);
  });

  it('updates and deletes cannot touch another tenant, and inserts for it are refused', async () => {
    const updated = await withTenant(db, 'alpha', (tx) => tx.query(`update docs set data = data || '{"name":"pwned"}' returning id`));
    expect(updated).toHaveLength(3);
    const [beta] = await db.query<{ n: number }>(`select count(*)::int as n from docs where tenant_id = 'beta' and data->>'name' = 'pwned'`);
    expect(beta!.n).toBe(0);
    const deleted = await withTenant(db, 'alpha', (tx) => tx.query(`delete from docs where id like 'beta-%' returning id`));
    expect(deleted).toEqual([]);
    await expect(withTenant(db, 'alpha', (tx) => putDocs(tx, 'customers', [{ id: 'x', tenantId: 'beta', updatedAt: 1, name: 'x', identities: [] }])))
      .rejects.toThrow(/row-level security/);
    const [x] = await db.query<{ n: number }>(`select count(*)::int as n from docs where id = 'x'`);
    expect(x!.n).toBe(0);
  });

  it('the app role sees nothing at all without a tenant, and cannot read server secrets', async () => {
    const none = await db.transaction(async (tx) => {
      await tx.exec('set local role threadline_app');
      return tx.query('select 1 from docs');
    });
    expect(none).toEqual([]);
    await expect(withTenant(db, 'alpha', (tx) => tx.query('select value from server_secrets'))).rejects.toThrow(/permission denied/);
  });
});
