import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openPglite } from '../../server/db';
import { migrate } from '../../server/migrate';

/** Builds the migrated PGlite template once per test run (see test-db.ts). */
export default async function setup(): Promise<(() => void) | void> {
  if (process.env.TEST_DATABASE_URL) return;
  const dir = resolve('.tmp');
  mkdirSync(dir, { recursive: true });
  const db = await openPglite();
  await migrate(db);
  const dump = await db.dump!();
  const file = join(dir, `pglite-template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await db.close();
  process.env.THREADLINE_PGLITE_TEMPLATE = file;
  return () => rmSync(file, { force: true });
}
