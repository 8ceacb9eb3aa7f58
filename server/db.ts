import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * The one data-access seam. Everything above it speaks plain SQL that runs unchanged on PGlite
 * (embedded, the default) and on a PostgreSQL server (when DATABASE_URL is set).
 */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements, no parameters (migrations, SET LOCAL). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls back with each NOTIFY payload on `channel`; resolves to an unsubscribe function. `onLost`
   * fires once if the listening connection dies (notices may have been missed; listen again).
   */
  listen(channel: string, onPayload: (payload: string) => void, onLost?: (err: unknown) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** PGlite only: the data directory as a tarball (test templates, backups of the embedded store). */
  dump?(): Promise<Blob>;
}

// Sequence numbers and counts are int8; all of ours stay far below 2^53, so numbers are safe and
// far easier to work with than strings or bigints.
const INT8_OID = 20;
pg.types.setTypeParser(INT8_OID, (v) => Number(v));

/** `loadDataDir` starts from a dumped data directory (a migrated template) instead of running initdb. */
export async function openPglite(dataDir?: string, loadDataDir?: Blob): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: { [pgliteTypes.INT8]: (v: string) => Number(v) },
  });
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const res = await q.query<R>(sql, params as unknown[]);
      return res.rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx as unknown as PGlite))),
    async listen(channel, onPayload) {
      const unsub = await db.listen(channel, onPayload);
      return async () => unsub();
    },
    close: () => db.close(),
    dump: async () => (await db.dumpDataDir('none')) as Blob,
  };
}

export async function openPostgres(url: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection dies when PostgreSQL restarts; the pool drops it and the next query opens a
  // new one. Unheard, that 'error' event would crash the whole server.
  pool.on('error', () => undefined);
  // Fail fast with a clear error instead of on the first request.
  await pool.query('select 1');
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const res = await c.query(sql, params as unknown[]);
      return res.rows as R[];
    },
    async exec(sql: string) {
      await c.query(sql);
    },
  });
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      // A connection that cannot even roll back is broken: destroy it rather than return it to the pool.
      let broken = false;
      const onError = () => { broken = true; };
      client.on('error', onError);
      try {
        await client.query('begin');
        const out = await fn(wrap(client));
        await client.query('commit');
        return out;
      } catch (err) {
        await client.query('rollback').catch(() => { broken = true; });
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async listen(channel, onPayload, onLost) {
      // LISTEN needs a connection of its own for as long as it listens.
      const client = new pg.Client({ connectionString: url });
      let closing = false;
      let lost = false;
      const onDead = (err: unknown) => {
        if (closing || lost) return;
        lost = true;
        onLost?.(err);
      };
      // Without an error listener a dropped connection would crash the process.
      client.on('error', onDead);
      client.on('end', () => onDead(new Error('listen connection ended')));
      await client.connect();
      client.on('notification', (msg) => {
        if (msg.channel === channel) onPayload(msg.payload ?? '');
      });
      await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      return async () => {
        closing = true;
        await client.end().catch(() => undefined);
      };
    },
    close: () => pool.end(),
  };
}

export function openDatabase(opts: { databaseUrl?: string | undefined; dataDir?: string | undefined }): Promise<Db> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openPglite(opts.dataDir);
}
