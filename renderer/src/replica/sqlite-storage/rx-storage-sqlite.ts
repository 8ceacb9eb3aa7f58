import { Subject, type Observable } from 'rxjs';
import {
  categorizeBulkWriteRows, ensureRxStorageInstanceParamsAreCorrect, getQueryMatcher, getSortComparator, newRxError, now,
  RXDB_VERSION,
  type BulkWriteRow, type EventBulk, type PreparedQuery, type RxDocumentData, type RxJsonSchema, type RxStorage,
  type RxStorageBulkWriteResponse, type RxStorageChangeEvent, type RxStorageCountResult, type RxStorageInstance,
  type RxStorageInstanceCreationParams, type RxStorageQueryResult,
} from 'rxdb';
import type { SqlDatabase, SqlValue } from './sql-database';
import { createTableSql, insertSql, rangeSql, rowValues, tableLayout, type TableLayout } from './table-layout';

export interface RxStorageSqliteSettings {
  /** Opens (creating if needed) the SQLite database that holds every collection of one RxDB database. */
  open(databaseName: string): Promise<SqlDatabase>;
  /** Deletes the file of a database whose last table was removed (a purged replica leaves no file behind). */
  destroy?(databaseName: string): Promise<void>;
}

type Doc = RxDocumentData<unknown>;
type Checkpoint = { id: string; lwt: number };

/** SQLite's default limit on bound parameters is 32766; stay far below it. */
const ID_CHUNK = 500;
/** Rows fetched per step when a query needs JavaScript matching and can stop early. */
const SCAN_PAGE = 500;

interface Connection {
  db: SqlDatabase;
  refs: number;
}

/**
 * An RxStorage on SQLite. RxDB's free IndexedDB storage (Dexie) fills ~2.5k documents/s in Chromium
 * with a profile on disk, which puts the first sync of a 400k-document tenant near three minutes;
 * SQLite in a worker on OPFS inserts several times faster (see docs/architecture.md, "Replica storage").
 *
 * Every method runs synchronously against the connection once started, so within one worker a
 * write's read-check-write can never interleave with another call: that is what makes the conflict
 * check in bulkWrite sound without locks.
 */
export class RxStorageSqlite implements RxStorage<{ layout: TableLayout }, Record<string, never>> {
  readonly name = 'threadline-sqlite';
  readonly rxdbVersion = RXDB_VERSION;
  private readonly connections = new Map<string, Promise<Connection>>();

  constructor(readonly settings: RxStorageSqliteSettings) {}

  async createStorageInstance<RxDocType>(params: RxStorageInstanceCreationParams<RxDocType, Record<string, never>>): Promise<RxStorageInstanceSqlite<RxDocType>> {
    ensureRxStorageInstanceParamsAreCorrect(params);
    if (params.schema.attachments) throw newRxError('SNH', { args: { reason: 'the SQLite replica storage does not store attachments' } });
    const conn = await this.connect(params.databaseName);
    const layout = tableLayout(params.collectionName, params.schema as RxJsonSchema<Doc>);
    for (const sql of createTableSql(layout)) conn.db.run(sql);
    return new RxStorageInstanceSqlite<RxDocType>(this, params, layout, conn.db);
  }

  private connect(databaseName: string): Promise<Connection> {
    let p = this.connections.get(databaseName);
    if (!p) {
      p = this.settings.open(databaseName).then((db) => {
        // A purge must not leave customer data in free pages of the file.
        db.run('pragma secure_delete = on');
        return { db, refs: 0 };
      });
      this.connections.set(databaseName, p);
      p.catch(() => this.connections.delete(databaseName));
    }
    return p.then((c) => {
      c.refs++;
      return c;
    });
  }

  /** @internal */
  async release(databaseName: string): Promise<void> {
    const p = this.connections.get(databaseName);
    if (!p) return;
    const c = await p;
    if (--c.refs > 0) return;
    this.connections.delete(databaseName);
    const [[tables]] = c.db.all(`select count(*) from sqlite_master where type = 'table'`) as [[number]];
    c.db.close();
    if (tables === 0) await this.settings.destroy?.(databaseName);
  }
}

export class RxStorageInstanceSqlite<RxDocType> implements RxStorageInstance<RxDocType, { layout: TableLayout }, Record<string, never>, Checkpoint> {
  readonly databaseName: string;
  readonly collectionName: string;
  readonly schema: Readonly<RxJsonSchema<RxDocumentData<RxDocType>>>;
  readonly options: Readonly<Record<string, never>> = {};
  readonly internals: { layout: TableLayout };
  private readonly changes$ = new Subject<EventBulk<RxStorageChangeEvent<RxDocumentData<RxDocType>>, Checkpoint>>();
  private closed = false;

  constructor(
    private readonly storage: RxStorageSqlite,
    params: RxStorageInstanceCreationParams<RxDocType, Record<string, never>>,
    private readonly layout: TableLayout,
    private readonly db: SqlDatabase,
  ) {
    this.databaseName = params.databaseName;
    this.collectionName = params.collectionName;
    this.schema = params.schema;
    this.internals = { layout };
  }

  private ensureOpen(): void {
    if (this.closed) throw newRxError('SNH', { args: { reason: `storage instance ${this.collectionName} is closed` } });
  }

  private docsByIds(ids: readonly string[], withDeleted: boolean): Doc[] {
    const out: Doc[] = [];
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const chunk = ids.slice(i, i + ID_CHUNK);
      const rows = this.db.all(
        `select doc from ${this.layout.table} where id in (${chunk.map(() => '?').join(',')})${withDeleted ? '' : ' and deleted = 0'}`,
        chunk,
      );
      for (const r of rows) out.push(JSON.parse(r[0] as string) as Doc);
    }
    return out;
  }

  bulkWrite(rows: BulkWriteRow<RxDocType>[], context: string): Promise<RxStorageBulkWriteResponse<RxDocType>> {
    this.ensureOpen();
    const pk = this.layout.primaryPath;
    const ids = rows.map((r) => (r.document as Record<string, unknown>)[pk] as string);
    const inDb = new Map<string, RxDocumentData<RxDocType>>();
    for (const d of this.docsByIds(ids, true)) inDb.set((d as Record<string, unknown>)[pk] as string, d as RxDocumentData<RxDocType>);
    const categorized = categorizeBulkWriteRows<RxDocType>(this, pk as never, inDb, rows, context);
    const writes = [...categorized.bulkInsertDocs, ...categorized.bulkUpdateDocs];
    if (writes.length > 0) {
      const st = this.db.prepare(insertSql(this.layout));
      this.db.run('begin');
      try {
        for (const w of writes) st.run(rowValues(this.layout, w.document as Doc));
        this.db.run('commit');
      } catch (err) {
        this.db.run('rollback');
        throw err;
      } finally {
        st.finalize();
      }
    }
    if (categorized.eventBulk.events.length > 0 && categorized.newestRow) {
      const last = categorized.newestRow.document as Record<string, unknown> & Doc;
      categorized.eventBulk.checkpoint = { id: last[pk] as string, lwt: last._meta.lwt };
      this.changes$.next(categorized.eventBulk);
    }
    return Promise.resolve({ error: categorized.errors });
  }

  findDocumentsById(ids: string[], withDeleted: boolean): Promise<RxDocumentData<RxDocType>[]> {
    this.ensureOpen();
    return Promise.resolve(this.docsByIds(ids, withDeleted) as RxDocumentData<RxDocType>[]);
  }

  query(prepared: PreparedQuery<RxDocType>): Promise<RxStorageQueryResult<RxDocType>> {
    this.ensureOpen();
    const { query, queryPlan: plan } = prepared;
    const skip = query.skip ?? 0;
    // An explicit limit of 0 means no documents, not "no limit".
    const limit = typeof query.limit === 'number' ? query.limit : Infinity;
    const range = rangeSql(this.layout, plan as never);
    const select = `select doc from ${range.from} where ${range.where}`;
    const base = `${select} order by ${range.orderBy}`;
    const parse = (rows: SqlValue[][]) => rows.map((r) => JSON.parse(r[0] as string) as RxDocumentData<RxDocType>);
    const resort = !plan.sortSatisfiedByIndex;

    // When the index range is exactly the result set and every sort field is a column, SQLite sorts
    // (descending too, which RxDB's planner never marks as satisfied) and applies skip and limit, so
    // only the returned documents are parsed: "latest 20 of a customer's 5,000 events" reads 20.
    const sqlSort = query.sort.map((part) => {
      const [field, dir] = Object.entries(part)[0]!;
      const col = this.layout.columns.get(field);
      return col ? `${col} ${dir === 'desc' ? 'desc' : 'asc'}` : undefined;
    });
    if (plan.selectorSatisfiedByIndex && sqlSort.every(Boolean)) {
      if (limit === 0) return Promise.resolve({ documents: [] });
      const orderBy = resort ? sqlSort.join(', ') : range.orderBy;
      const rows = this.db.all(`${select} order by ${orderBy} limit ? offset ?`, [
        ...range.bind, Number.isFinite(limit) ? limit : -1, skip,
      ]);
      return Promise.resolve({ documents: parse(rows) });
    }

    const matches = plan.selectorSatisfiedByIndex ? () => true : getQueryMatcher(this.schema, query);
    let docs: RxDocumentData<RxDocType>[] = [];
    if (resort) {
      docs = parse(this.db.all(base, range.bind)).filter((d) => matches(d));
      docs.sort(getSortComparator(this.schema, query));
    } else {
      // Index order is the result order: scan page by page and stop once skip + limit are matched.
      for (let offset = 0; docs.length < skip + limit; offset += SCAN_PAGE) {
        const page = parse(this.db.all(`${base} limit ? offset ?`, [...range.bind, SCAN_PAGE, offset]));
        for (const d of page) if (matches(d)) docs.push(d);
        if (page.length < SCAN_PAGE) break;
      }
    }
    return Promise.resolve({ documents: docs.slice(skip, skip + limit) });
  }

  async count(prepared: PreparedQuery<RxDocType>): Promise<RxStorageCountResult> {
    this.ensureOpen();
    if (prepared.queryPlan.selectorSatisfiedByIndex) {
      const range = rangeSql(this.layout, prepared.queryPlan as never);
      const [[n]] = this.db.all(`select count(*) from ${range.from} where ${range.where}`, range.bind) as [[number]];
      return { count: n, mode: 'fast' };
    }
    const all = await this.query({ ...prepared, query: { ...prepared.query, skip: 0, limit: undefined as unknown as number } });
    return { count: all.documents.length, mode: 'slow' };
  }

  getAttachmentData(): Promise<Blob> {
    return Promise.reject(newRxError('SNH', { args: { reason: 'the SQLite replica storage does not store attachments' } }));
  }

  changeStream(): Observable<EventBulk<RxStorageChangeEvent<RxDocumentData<RxDocType>>, Checkpoint>> {
    return this.changes$.asObservable();
  }

  cleanup(minimumDeletedTime: number): Promise<boolean> {
    this.ensureOpen();
    this.db.run(`delete from ${this.layout.table} where deleted = 1 and lwt < ?`, [now() - minimumDeletedTime]);
    return Promise.resolve(true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.changes$.complete();
    await this.storage.release(this.databaseName);
  }

  async remove(): Promise<void> {
    this.ensureOpen();
    this.db.run(`drop table if exists ${this.layout.table}`);
    await this.close();
  }
}

export function getRxStorageSqlite(settings: RxStorageSqliteSettings): RxStorageSqlite {
  return new RxStorageSqlite(settings);
}
