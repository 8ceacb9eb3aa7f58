import {
  getPrimaryFieldOfPrimaryKey, getProperty, INDEX_MAX, INDEX_MIN, newRxError,
  type RxDocumentData, type RxJsonSchema,
} from 'rxdb';
import type { SqlValue } from './sql-database';

/**
 * How one RxDB collection is laid out in one SQLite table: the whole document as JSON, plus one
 * column per indexed field and one SQLite index per RxDB index.
 *
 * RxDB's own storages keep each index as one fixed-width string (every string field padded to its
 * maxLength). Here each indexed field is its own column and a range is a row-value comparison
 * `(a, b, c) >= (?, ?, ?)`, which orders the same way and keeps the table small: the padded strings
 * would add ~1 kB to every row. Index columns are declared without a type, so SQLite applies no
 * affinity and orders by value type (numbers < text < blob): that is what makes the bound sentinels
 * below sort below or above every stored value. Text compares as UTF-8 bytes, i.e. by code point,
 * which equals JavaScript's order except for astral characters against U+E000–U+FFFF.
 */
export interface TableLayout {
  table: string;
  primaryPath: string;
  /** Field path → column name for every indexed field (including the fixed id/deleted/lwt columns). */
  columns: Map<string, string>;
  /** Indexed fields other than the fixed ones, in column order. */
  extra: Array<{ path: string; column: string }>;
  indexes: string[][];
  /** RxDB index (paths joined by ',') → the SQLite index built for it. */
  indexNames: Map<string, string>;
}

/** Below every stored value: numbers are the lowest type stored, and nothing stored is -Infinity. */
const MIN_SENTINEL = -Infinity;
/** Above every stored value: a blob sorts after every number and text, and no indexed field is a blob. */
const MAX_SENTINEL = new Uint8Array([0xff]);

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function tableLayout(collectionName: string, schema: RxJsonSchema<RxDocumentData<unknown>>): TableLayout {
  const primaryPath = getPrimaryFieldOfPrimaryKey(schema.primaryKey as never) as string;
  const columns = new Map<string, string>([[primaryPath, 'id'], ['_deleted', 'deleted'], ['_meta.lwt', 'lwt']]);
  const extra: TableLayout['extra'] = [];
  const indexes = (schema.indexes ?? []).map((ix) => (Array.isArray(ix) ? [...ix] : [ix as string]));
  // cleanup() walks deleted documents by age.
  indexes.push(['_deleted', '_meta.lwt', primaryPath]);
  for (const path of new Set(indexes.flat())) {
    if (columns.has(path)) continue;
    const column = `f${extra.length}`;
    columns.set(path, column);
    extra.push({ path, column });
  }
  const table = `${collectionName}-${schema.version}`;
  const indexNames = new Map(indexes.map((ix, i) => [ix.join(','), quoteIdent(`${table}-ix${i}`)]));
  return { table: quoteIdent(table), primaryPath, columns, extra, indexes, indexNames };
}

export function createTableSql(l: TableLayout): string[] {
  const extraCols = l.extra.map((e) => `, ${e.column}`).join('');
  const out = [`create table if not exists ${l.table} (id primary key, deleted, lwt, rev text not null, doc text not null${extraCols})`];
  for (const ix of l.indexes) {
    out.push(`create index if not exists ${l.indexNames.get(ix.join(','))!} on ${l.table} (${ix.map((p) => l.columns.get(p)!).join(', ')})`);
  }
  return out;
}

function toSql(value: unknown): SqlValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (value === undefined || value === null) return null;
  throw newRxError('SNH', { args: { reason: 'index value of unsupported type', value } });
}

/** The values of a document for `insert … (id, deleted, lwt, rev, doc, f0, f1, …)`. */
export function rowValues(l: TableLayout, doc: RxDocumentData<unknown>): SqlValue[] {
  const d = doc as RxDocumentData<Record<string, unknown>>;
  const row: SqlValue[] = [toSql(d[l.primaryPath]), d._deleted ? 1 : 0, d._meta.lwt, d._rev, JSON.stringify(doc)];
  for (const e of l.extra) row.push(toSql(getProperty(d, e.path)));
  return row;
}

export function insertSql(l: TableLayout): string {
  const cols = ['id', 'deleted', 'lwt', 'rev', 'doc', ...l.extra.map((e) => e.column)];
  return `insert or replace into ${l.table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`;
}

function boundValue(key: unknown): SqlValue {
  if (key === INDEX_MIN) return MIN_SENTINEL;
  if (key === INDEX_MAX) return MAX_SENTINEL;
  return toSql(key);
}

export interface RangeSql {
  /** `indexed by …`: the plan's index, so a sort SQLite must do itself never tempts it into a full scan. */
  from: string;
  where: string;
  orderBy: string;
  bind: SqlValue[];
}

/** The `where`/`order by` for one query plan's index range. */
export function rangeSql(
  l: TableLayout,
  plan: { index: string[]; startKeys: unknown[]; endKeys: unknown[]; inclusiveStart: boolean; inclusiveEnd: boolean },
): RangeSql {
  const cols = plan.index.map((p) => {
    const c = l.columns.get(p);
    if (!c) throw newRxError('SNH', { args: { reason: 'query plan uses a field without a column', path: p } });
    return c;
  });
  const tuple = `(${cols.join(', ')})`;
  const params = `(${cols.map(() => '?').join(', ')})`;
  const index = l.indexNames.get(plan.index.join(','));
  return {
    from: index ? `${l.table} indexed by ${index}` : l.table,
    where: `${tuple} ${plan.inclusiveStart ? '>=' : '>'} ${params} and ${tuple} ${plan.inclusiveEnd ? '<=' : '<'} ${params}`,
    orderBy: cols.join(', '),
    bind: [
      ...plan.index.map((_, i) => boundValue(plan.startKeys[i])),
      ...plan.index.map((_, i) => boundValue(plan.endKeys[i])),
    ],
  };
}
