/**
 * The few things the replica's SQLite storage needs from a SQLite connection. The storage is written
 * against this, not against sqlite-wasm's API, so one implementation serves the renderer's worker
 * (OPFS) and Node tests (in memory).
 */
export type SqlValue = string | number | null | Uint8Array;

export interface SqlStatement {
  run(bind: readonly SqlValue[]): void;
  finalize(): void;
}

export interface SqlDatabase {
  run(sql: string, bind?: readonly SqlValue[]): void;
  all(sql: string, bind?: readonly SqlValue[]): SqlValue[][];
  prepare(sql: string): SqlStatement;
  close(): void;
}

/** The subset of sqlite-wasm's `oo1.DB` this adapter uses (structural, so tests need no casts). */
export interface Oo1Database {
  exec(opts: { sql: string; bind?: SqlValue[]; rowMode?: 'array'; returnValue?: 'resultRows' }): unknown;
  prepare(sql: string): {
    bind(values: SqlValue[]): unknown;
    stepReset(): unknown;
    finalize(): unknown;
  };
  close(): unknown;
}

export function fromOo1(db: Oo1Database): SqlDatabase {
  return {
    run: (sql, bind) => void db.exec({ sql, bind: bind ? [...bind] : undefined }),
    all: (sql, bind) => db.exec({ sql, bind: bind ? [...bind] : undefined, rowMode: 'array', returnValue: 'resultRows' }) as SqlValue[][],
    prepare(sql) {
      const st = db.prepare(sql);
      return {
        run(bind) {
          st.bind([...bind]);
          st.stepReset();
        },
        finalize: () => void st.finalize(),
      };
    },
    close: () => void db.close(),
  };
}
