import { useEffect, useState } from 'react';
import type { RxDocument, RxQuery } from 'rxdb';

/**
 * Live results of a replica query as plain objects. The query is rebuilt when `deps` change;
 * RxDB's event-reduce keeps re-evaluation cheap as sync streams changes in.
 */
export function useReplicaQuery<T>(make: () => RxQuery<T, RxDocument<T>[]> | undefined, deps: readonly unknown[]): T[] {
  const [rows, setRows] = useState<T[]>([]);
  useEffect(() => {
    const q = make();
    if (!q) return;
    const sub = q.$.subscribe((docs) => setRows(docs.map((d) => d.toJSON() as T)));
    return () => sub.unsubscribe();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names the query's inputs
  }, deps);
  return rows;
}
