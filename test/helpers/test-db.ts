import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, openPostgres, type Db } from '../../server/db';
import { migrate } from '../../server/migrate';

/**
 * A fresh, migrated database per call. With TEST_DATABASE_URL set (CI starts a real PostgreSQL),
 * each call creates its own database on that server; otherwise it is an in-memory PGlite loaded
 * from the migrated template that `test/helpers/global-setup.ts` dumps once per run, which costs
 * ~0.5 s instead of an initdb each time.
 */
export async function createTestDb(): Promise<Db & { url?: string }> {
  const admin = process.env.TEST_DATABASE_URL;
  if (admin) {
    const name = `tl_test_${randomBytes(6).toString('hex')}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    const db = await openPostgres(u.toString());
    await migrate(db);
    return Object.assign(db, { url: u.toString() });
  }
  const template = process.env.THREADLINE_PGLITE_TEMPLATE;
  if (template && existsSync(template)) {
    return openPglite(undefined, new Blob([readFileSync(template)]));
  }
  const db = await openPglite();
  await migrate(db);
  return db;
}
