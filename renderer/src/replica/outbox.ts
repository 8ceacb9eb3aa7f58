interface Pending {
  key: string;
  collection: string;
  id: string;
  updatedAt: number;
}

function done<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });
}

const STORE = 'pending';

/**
 * "Not yet synced" markers. RxDB's replication already keeps its own push queue (and is what
 * actually delivers the writes); this store only mirrors it so the UI can count pending writes and
 * mark single documents, which RxDB does not expose. A marker is written before the document, so a
 * crash between the two leaves a stale marker (dropped at start by `reconcile`), never an unmarked write.
 * Plain IndexedDB rather than Dexie: RxDB bundles its own Dexie and two copies refuse to load together.
 */
export class Outbox {
  private idb: IDBDatabase | undefined;
  private count = 0;
  private readonly listeners = new Set<() => void>();
  private keys = new Map<string, number>();

  constructor(readonly name: string, private readonly factory: IDBFactory = globalThis.indexedDB) {}

  static key(collection: string, id: string): string {
    return `${collection}/${id}`;
  }

  private get dbName(): string {
    return `${this.name}-outbox`;
  }

  private store(mode: IDBTransactionMode): { store: IDBObjectStore; tx: IDBTransaction } {
    if (!this.idb) throw new Error('outbox is not open');
    const tx = this.idb.transaction(STORE, mode);
    return { store: tx.objectStore(STORE), tx };
  }

  async open(): Promise<void> {
    if (!this.idb) {
      const req = this.factory.open(this.dbName, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
      this.idb = await done(req);
    }
    const all = (await done(this.store('readonly').store.getAll())) as Pending[];
    this.keys = new Map(all.map((p) => [p.key, p.updatedAt]));
    this.emit();
  }

  /** Drops markers whose document never landed (a crash between marker and write). */
  async reconcile(exists: (collection: string, id: string, updatedAt: number) => Promise<boolean>): Promise<void> {
    const all = (await done(this.store('readonly').store.getAll())) as Pending[];
    const stale: string[] = [];
    for (const p of all) if (!(await exists(p.collection, p.id, p.updatedAt))) stale.push(p.key);
    if (stale.length) {
      const { store, tx } = this.store('readwrite');
      for (const k of stale) store.delete(k);
      await committed(tx);
    }
    await this.open();
  }

  async mark(collection: string, id: string, updatedAt: number): Promise<void> {
    const key = Outbox.key(collection, id);
    const { store, tx } = this.store('readwrite');
    store.put({ key, collection, id, updatedAt } satisfies Pending);
    await committed(tx);
    this.keys.set(key, updatedAt);
    this.emit();
  }

  /** The server acknowledged these document states; markers for older or equal states go. */
  async ack(collection: string, docs: ReadonlyArray<{ id: string; updatedAt: number }>): Promise<void> {
    const drop: string[] = [];
    for (const d of docs) {
      const key = Outbox.key(collection, d.id);
      const marked = this.keys.get(key);
      if (marked !== undefined && d.updatedAt >= marked) drop.push(key);
    }
    if (!drop.length) return;
    const { store, tx } = this.store('readwrite');
    // Re-check inside the transaction: a newer local write may have re-marked the document meanwhile.
    await Promise.all(drop.map(async (key) => {
      const row = (await done(store.get(key))) as Pending | undefined;
      const acked = docs.find((d) => Outbox.key(collection, d.id) === key)!;
      if (row && acked.updatedAt >= row.updatedAt) {
        store.delete(key);
        this.keys.delete(key);
      }
    }));
    await committed(tx);
    this.emit();
  }

  isPending(collection: string, id: string): boolean {
    return this.keys.has(Outbox.key(collection, id));
  }

  get size(): number {
    return this.count;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    this.count = this.keys.size;
    for (const l of this.listeners) l();
  }

  close(): void {
    this.idb?.close();
    this.idb = undefined;
  }

  async destroy(): Promise<void> {
    this.close();
    await done(this.factory.deleteDatabase(this.dbName));
    this.keys.clear();
    this.emit();
  }
}
