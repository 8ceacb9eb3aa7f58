import { createRevision, type BulkWriteRow, type RxDocumentData } from 'rxdb';
import type { CollectionName } from '../../../shared/model/documents';
import type { Checkpoint } from '../../../shared/sync-protocol';
import type { ReplicaDatabase } from './database';

type Doc = Record<string, unknown> & { id: string };
type Page = { documents: Doc[]; checkpoint: Checkpoint; received: number };

/**
 * `_meta.lwt` of a document written by the bootstrap. Every local write gets the current time, so
 * "lwt > BOOTSTRAP_LWT" is exactly "written on this machine", which is what lets the push side of
 * the replication start after the bootstrapped documents instead of pushing them all back.
 */
export const BOOTSTRAP_LWT = 1;
/** The push side's starting checkpoint: past every bootstrapped document, before every local write. */
export const BOOTSTRAP_PUSH_CHECKPOINT = { id: '\uffff', lwt: BOOTSTRAP_LWT };

export interface BootstrapState {
  /** The server sequence the bootstrap has reached; the replication's pull starts here. */
  seq: number;
  done: boolean;
}

export interface BootstrapOptions {
  db: ReplicaDatabase;
  name: CollectionName;
  /** RxDB's identifier of this collection's replication (`'rxdbreplication' + replicationIdentifier`). */
  replicationIdentifier: string;
  batchSize: number;
  /** One page of server documents after `seq`, validated; `received` counts what the server sent. */
  fetchPage(seq: number, limit: number): Promise<Page>;
  stopped(): boolean;
}

const stateId = (name: CollectionName) => `bootstrap-${name}`;

/**
 * The first fill of an empty collection, without RxDB's replication. For every pulled document the
 * replication reads the local copy and its bookkeeping copy and writes both back, through the
 * storage worker; a first sync of a large tenant is nothing but inserts, so here each page is one
 * bulk insert and the next page is fetched while it is written. Afterwards the replication starts
 * from the bootstrap's sequence (pull) and after its documents (push).
 *
 * Bootstrapped documents carry RxDB's "came from the master at this revision" mark (`_meta.o`), the
 * same one its replication writes, so a later server change replaces them as it would a pulled
 * document. They have no bookkeeping copy ("assumed master"): a local edit of one is pushed as a
 * new document, the server answers with its copy as a conflict, and the field merge settles it:
 * one extra round trip on the first edit of such a document.
 *
 * Resumable: the state is saved after every page, and a page written twice is harmless.
 * @returns where the replication starts, or undefined when this collection was never bootstrapped
 * and is not empty (a replica from before the bootstrap existed keeps RxDB's own checkpoints).
 */
export async function bootstrapCollection(o: BootstrapOptions): Promise<BootstrapState | undefined> {
  const { db, name } = o;
  const local = await db.getLocal<BootstrapState>(stateId(name));
  let state = local ? { seq: local.get('seq') as number, done: local.get('done') as boolean } : undefined;
  if (!state) {
    if ((await db.collections[name].count().exec()) > 0) return undefined;
    state = { seq: 0, done: false };
  }
  if (state.done) return state;

  // Below RxDB's wrapper, which would stamp every write with the current time and a fresh revision.
  const storage = db.collections[name].storageInstance.originalStorageInstance;
  const hash = await db.hashFunction(o.replicationIdentifier);
  const stamp = (doc: Doc, previous?: RxDocumentData<Doc>): RxDocumentData<Doc> => {
    const _rev = createRevision(db.token, previous as never);
    const { _deleted: _ignored, ...fields } = doc;
    return { ...fields, _deleted: false, _attachments: {}, _rev, _meta: { lwt: BOOTSTRAP_LWT, o: { _rev: Number(_rev.split('-')[0]), hash } } } as unknown as RxDocumentData<Doc>;
  };
  const write = async (docs: Doc[]) => {
    const rows: BulkWriteRow<Doc>[] = docs.filter((d) => !d._deleted).map((d) => ({ document: stamp(d) }));
    if (rows.length === 0) return;
    const res = await storage.bulkWrite(rows as never, 'threadline-bootstrap');
    // A document already here is either an earlier attempt's (replace it: the server moved it to a
    // later sequence because it changed) or the agent's own edit (keep it: the push merges it).
    const byId = new Map(docs.map((d) => [d.id, d]));
    const retry: BulkWriteRow<Doc>[] = [];
    for (const e of res.error) {
      const inDb = e.status === 409 ? (e.documentInDb as RxDocumentData<Doc> | undefined) : undefined;
      if (!inDb) throw new Error(`BOOTSTRAP_WRITE_FAILED: ${name}/${e.documentId} status ${e.status}`);
      const next = byId.get(e.documentId)!;
      if (inDb._meta.lwt === BOOTSTRAP_LWT) retry.push({ previous: inDb, document: stamp(next, inDb) });
    }
    if (retry.length) await storage.bulkWrite(retry as never, 'threadline-bootstrap');
  };

  let next: Promise<Page> | undefined = o.fetchPage(state.seq, o.batchSize);
  while (next) {
    const page: Page = await next;
    // A full page from the server means there may be more, even if validation dropped some of it.
    const more: boolean = page.received >= o.batchSize;
    next = more && !o.stopped() ? o.fetchPage(page.checkpoint.seq, o.batchSize) : undefined;
    // If writing fails, the prefetched page is abandoned; its rejection must not go unhandled.
    next?.catch(() => undefined);
    await write(page.documents);
    state = { seq: page.checkpoint.seq, done: !more };
    await db.upsertLocal(stateId(name), state);
    if (o.stopped()) break;
  }
  return state;
}
