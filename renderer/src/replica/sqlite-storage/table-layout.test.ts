import { fillWithDefaultSettings, INDEX_MAX, INDEX_MIN, type RxDocumentData, type RxJsonSchema } from 'rxdb';
import { describe, expect, it } from 'vitest';
import { rxSchemaFor } from '../../../../shared/rxdb-schema';
import { createTableSql, rangeSql, tableLayout } from './table-layout';

const schema = fillWithDefaultSettings(rxSchemaFor('events') as never) as unknown as RxJsonSchema<RxDocumentData<unknown>>;

describe('table layout', () => {
  const l = tableLayout('events', schema);

  it('gives every indexed field a column and every RxDB index (plus cleanup) an SQLite index', () => {
    expect([...l.columns.keys()].sort()).toEqual(['_deleted', '_meta.lwt', 'at', 'customerId', 'id', 'threadId']);
    const sql = createTableSql(l);
    expect(sql).toHaveLength(1 + schema.indexes!.length + 1);
    expect(sql.at(-1)).toContain('(deleted, lwt, id)');
  });

  it('pins a range to the index the plan chose, so a sort SQLite adds cannot turn it into a full scan', () => {
    const r = rangeSql(l, {
      index: ['_deleted', 'customerId', 'at', 'id'], startKeys: [false, 'c1', INDEX_MIN, INDEX_MIN], endKeys: [false, 'c1', INDEX_MAX, INDEX_MAX],
      inclusiveStart: true, inclusiveEnd: true,
    });
    expect(r.from).toBe(`"events-${schema.version}" indexed by ${l.indexNames.get('_deleted,customerId,at,id')}`);
    const [c, at] = [l.columns.get('customerId'), l.columns.get('at')];
    expect(r.where).toBe(`(deleted, ${c}, ${at}, id) >= (?, ?, ?, ?) and (deleted, ${c}, ${at}, id) <= (?, ?, ?, ?)`);
    // The sentinels sort below and above every stored value.
    expect(r.bind.slice(0, 4)).toEqual([0, 'c1', -Infinity, -Infinity]);
    expect(r.bind.slice(4, 6)).toEqual([0, 'c1']);
    expect(r.bind[6]).toBeInstanceOf(Uint8Array);
  });
});
