import { Subject } from 'rxjs';
import type { RxReplicationPullStreamItem, WithDeleted } from 'rxdb';
import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { z } from 'zod';
import { mergeDocs, sameDoc, type MergeableDoc } from '../../../shared/conflict-merge';
import { appendOnlyCollections, collectionNames, collections, type CollectionName } from '../../../shared/model/documents';
import { Checkpoint, type StreamServerMessage } from '../../../shared/sync-protocol';
import { ApiError, NetworkError, type TokenStore } from '../session/token-store';
import type { ReplicaDatabase } from './database';
import { bootstrapCollection, BOOTSTRAP_PUSH_CHECKPOINT, type BootstrapState } from './bootstrap';
import type { Outbox } from './outbox';

export type SyncStatus =
  | { state: 'synced'; pending: 0; lastSyncedAt: number }
  | { state: 'syncing'; pending: number; lastSyncedAt: number | undefined }
  | { state: 'offline'; pending: number; since: number; reason: string; lastSyncedAt: number | undefined }
  | { state: 'error'; pending: number; code: string; reason: string; lastSyncedAt: number | undefined };

type Doc = Record<string, unknown> & { id: string; updatedAt: number };

/** Minimal WebSocket surface, so Node chaos clients can pass `ws` and the renderer the DOM's. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export interface SyncClientOptions {
  db: ReplicaDatabase;
  outbox: Outbox;
  tokens: TokenStore;
  socketFactory?: SocketFactory;
  collections?: readonly CollectionName[];
  pullBatchSize?: number;
  pushBatchSize?: number;
  /** Called whenever the replica has caught up with the server, e.g. to record it for the offline lock. */
  onSynced?: (at: number) => void;
  /**
   * Collections to pull again from the start (`replica/repull.ts`): RxDB keeps its checkpoint across a
   * schema migration, so a document the migration dropped would otherwise stay missing until the
   * server changes it.
   */
  repull?: { pending(name: CollectionName): Promise<boolean>; done(name: CollectionName): Promise<void> };
  /** Backoff bounds (ms) for reconnects and retries; jitter spreads a fleet's reconnects apart. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A stream silent for this long (no answer to PING) is treated as dead and reopened. */
  heartbeatMs?: number;
  now?: () => number;
}

const PullBody = z.object({ documents: z.array(z.record(z.string(), z.unknown())), checkpoint: Checkpoint });
const PushBody = z.object({ conflicts: z.array(z.record(z.string(), z.unknown())) });
const StreamMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('READY') }),
  z.object({ type: z.literal('CHANGE'), collection: z.string(), seq: z.number() }),
  z.object({ type: z.literal('RESYNC') }),
  z.object({ type: z.literal('PONG') }),
  z.object({ type: z.literal('ERROR'), code: z.string(), message: z.string() }),
]);

const STRIP = new Set(['_meta', '_rev', '_attachments']);
function plain(d: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(d).filter(([k]) => !STRIP.has(k)));
}

export function backoff(attempt: number, min: number, max: number, rnd: () => number = Math.random): number {
  const ceiling = Math.min(max, min * 2 ** Math.min(attempt, 16));
  // "Full jitter": a uniformly random wait up to the ceiling, so clients that lost the link together do not return together.
  return Math.max(min, Math.round(ceiling * rnd()));
}

/**
 * Replicates every collection with the sync server: HTTP pull/push through RxDB's replication
 * protocol, one WebSocket for change notices (CHANGE → pull that collection, RESYNC → pull all),
 * reconnect with jittered backoff, and a status for the badge.
 */
export class SyncClient {
  readonly states = new Map<CollectionName, RxReplicationState<Doc, Checkpoint>>();
  private readonly streams = new Map<CollectionName, Subject<RxReplicationPullStreamItem<Doc, Checkpoint>>>();
  private socket: SocketLike | undefined;
  private socketAttempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private retryAttempt = 0;
  private stopped = false;
  private online = false;
  private offlineSince: number;
  private offlineReason = 'connecting';
  private error: { code: string; reason: string } | undefined;
  private lastSyncedAt: number | undefined;
  private active = new Set<CollectionName>();
  private readonly listeners = new Set<() => void>();
  private current: SyncStatus;
  private readonly names: readonly CollectionName[];
  private readonly now: () => number;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private unsubOutbox: (() => void) | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  /** Per collection: its bootstrap (if any) and the start of its replication. */
  private readonly starting = new Map<CollectionName, Promise<void>>();
  /** Bootstraps waiting out a backoff; `resync()` wakes them. */
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly opts: SyncClientOptions) {
    this.names = opts.collections ?? collectionNames;
    this.now = opts.now ?? Date.now;
    this.offlineSince = this.now();
    this.minBackoff = opts.minBackoffMs ?? 500;
    this.maxBackoff = opts.maxBackoffMs ?? 15_000;
    this.current = this.compute();
  }

  get status(): SyncStatus {
    return this.current;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private compute(): SyncStatus {
    const pending = this.opts.outbox.size;
    if (this.error) return { state: 'error', pending, code: this.error.code, reason: this.error.reason, lastSyncedAt: this.lastSyncedAt };
    if (!this.online) return { state: 'offline', pending, since: this.offlineSince, reason: this.offlineReason, lastSyncedAt: this.lastSyncedAt };
    if (pending > 0 || this.active.size > 0 || this.lastSyncedAt === undefined) return { state: 'syncing', pending, lastSyncedAt: this.lastSyncedAt };
    return { state: 'synced', pending: 0, lastSyncedAt: this.lastSyncedAt };
  }

  private update(): void {
    const next = this.compute();
    const wasSynced = this.current.state === 'synced';
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    if (next.state === 'synced' && !wasSynced) this.opts.onSynced?.(next.lastSyncedAt);
    for (const l of this.listeners) l();
  }

  private markOnline(): void {
    this.retryAttempt = 0;
    if (this.error?.code === 'NETWORK') this.error = undefined;
    if (!this.online) {
      this.online = true;
      this.update();
    }
  }

  private markOffline(reason: string): void {
    if (this.online) this.offlineSince = this.now();
    this.online = false;
    this.offlineReason = reason;
    this.update();
  }

  /** Every handler goes through here so the badge learns from real traffic, not from a separate probe. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      this.markOnline();
      return out;
    } catch (err) {
      if (err instanceof NetworkError) {
        this.markOffline(err.message);
      } else if (err instanceof ApiError) {
        this.error = { code: err.code, reason: err.message };
        this.update();
      }
      this.bumpRetry();
      throw err;
    }
  }

  private bumpRetry(): void {
    const wait = backoff(this.retryAttempt++, this.minBackoff, this.maxBackoff);
    for (const s of this.states.values()) s.retryTime = wait;
  }

  private pullLimit(): number {
    return Math.min(this.opts.pullBatchSize ?? 1000, 5000);
  }

  /** One page of a collection from the server, validated; `received` counts what the server sent. */
  private pullPage(name: CollectionName, seq: number, limit: number): Promise<{ documents: Doc[]; checkpoint: Checkpoint; received: number }> {
    return this.call(async () => {
      const res = await this.opts.tokens.authorizedFetch(`/sync/${name}/pull?seq=${seq}&limit=${limit}`);
      const body = PullBody.parse(await res.json());
      const schema = collections[name];
      const documents: Doc[] = [];
      for (const raw of body.documents) {
        const parsed = schema.safeParse(raw);
        if (parsed.success) documents.push(parsed.data as unknown as Doc);
        else {
          // A document this client cannot read must not block the rest of the collection.
          this.error = { code: 'VALIDATION_FAILED', reason: `server sent an invalid ${name} document ${String(raw.id).slice(0, 64)}` };
          this.update();
        }
      }
      return { documents, checkpoint: body.checkpoint, received: body.documents.length };
    });
  }

  private replicationIdentifier(name: CollectionName): string {
    // The identifier pins the checkpoint to this server: another server URL starts from zero.
    return `tl-${this.opts.tokens.serverUrl}-${name}`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private wakeSleepers(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  /** Bootstraps an empty collection (retrying through outages), then starts its replication. */
  private async startCollection(name: CollectionName): Promise<void> {
    let boot: BootstrapState | undefined;
    this.active.add(name);
    this.update();
    for (;;) {
      if (this.stopped) return;
      try {
        boot = await bootstrapCollection({
          db: this.opts.db, name, batchSize: this.pullLimit(),
          replicationIdentifier: `rxdbreplication${this.replicationIdentifier(name)}`,
          fetchPage: (seq, limit) => this.pullPage(name, seq, limit),
          stopped: () => this.stopped,
        });
        break;
      } catch (err) {
        if (this.stopped) return;
        if (!(err instanceof NetworkError) && !(err instanceof ApiError)) {
          this.error = { code: 'BOOTSTRAP_FAILED', reason: err instanceof Error ? err.message : String(err) };
          this.update();
        }
        await this.sleep(backoff(this.retryAttempt, this.minBackoff, this.maxBackoff));
      }
    }
    this.active.delete(name);
    if (this.stopped || (boot && !boot.done)) return;
    if (this.error?.code === 'BOOTSTRAP_FAILED') this.error = undefined;
    this.startReplication(name, boot);
  }

  async start(): Promise<void> {
    this.unsubOutbox = this.opts.outbox.subscribe(() => this.update());
    for (const name of this.names) {
      this.streams.set(name, new Subject<RxReplicationPullStreamItem<Doc, Checkpoint>>());
      this.starting.set(name, this.startCollection(name));
    }
    this.startStream();
  }

  private startReplication(name: CollectionName, boot: BootstrapState | undefined): void {
    const { db, outbox, tokens } = this.opts;
    const stream = this.streams.get(name)!;
    const collection = db.collections[name];
    // 'ask' until the session's first pull; 'from-zero' until a pull from seq 0 has been answered.
    let repull: 'ask' | 'from-zero' | 'catching-up' | 'off' = this.opts.repull ? 'ask' : 'off';
    const state = replicateRxCollection<Doc, Checkpoint>({
      replicationIdentifier: this.replicationIdentifier(name),
      collection: collection as never,
      deletedField: '_deleted',
      live: true,
      retryTime: this.minBackoff,
      waitForLeadership: false,
      autoStart: true,
      pull: {
        batchSize: this.pullLimit(),
        stream$: stream.asObservable(),
        // After a bootstrap the pull continues from where it stopped (used only while RxDB has no checkpoint).
        initialCheckpoint: boot ? { seq: boot.seq } : undefined,
        handler: async (checkpoint, batchSize) => {
          if (repull === 'ask') repull = (await this.opts.repull?.pending(name)) ? 'from-zero' : 'off';
          // RxDB retries a failed pull with the same (pre-migration) checkpoint: stay at 0 until one is answered.
          const seq = repull === 'from-zero' ? 0 : (checkpoint?.seq ?? 0);
          const page = await this.pullPage(name, seq, batchSize);
          if (repull === 'from-zero') repull = 'catching-up';
          if (repull === 'catching-up' && page.received < batchSize) {
            repull = 'off';
            // RxDB stores this batch, and maybe earlier ones, after the handler returns: recording the
            // re-pull before they are stored would let a crash now skip the dropped documents for good.
            void state.awaitInSync()
              .then(() => (state.isStopped() ? undefined : this.opts.repull?.done(name)))
              .catch(() => undefined);
          }
          return { documents: page.documents as Array<WithDeleted<Doc>>, checkpoint: page.checkpoint };
        },
      },
      push: {
        batchSize: this.opts.pushBatchSize ?? 1000,
        // Bootstrapped documents came from the server: the push starts after them (see bootstrap.ts).
        initialCheckpoint: boot ? BOOTSTRAP_PUSH_CHECKPOINT : undefined,
        handler: (rows) =>
          this.call(async () => {
            const res = await tokens.authorizedFetch(`/sync/${name}/push`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ rows: rows.map((r) => ({ newDocumentState: plain(r.newDocumentState), assumedMasterState: r.assumedMasterState ? plain(r.assumedMasterState) : null })) }),
            });
            const body = PushBody.parse(await res.json());
            const conflicts = new Map(body.conflicts.map((c) => [String(c.id), c]));
            // A conflict whose merge changes nothing on the server is settled: RxDB will not push
            // again, so its marker must go now. Append-only conflicts always resolve to the server copy.
            const settled = (d: Record<string, unknown>, master: Record<string, unknown>) =>
              appendOnlyCollections.has(name) || sameDoc(mergeDocs(plain(master) as MergeableDoc, plain(d) as MergeableDoc), plain(master));
            const acked = rows
              .map((r) => r.newDocumentState)
              .filter((d) => {
                const master = conflicts.get(d.id);
                return !master || settled(d, master);
              });
            await outbox.ack(name, acked);
            return body.conflicts as Array<WithDeleted<Doc>>;
          }),
      },
    });
    state.active$.subscribe((a) => {
      if (a) this.active.add(name);
      else this.active.delete(name);
      if (!a && this.online && this.active.size === 0) this.lastSyncedAt = this.now();
      this.update();
    });
    state.error$.subscribe(() => {
      // Errors are recorded by `call`; RxDB retries on its own after `retryTime`.
    });
    this.states.set(name, state);
  }

  private startStream(): void {
    const { tokens } = this.opts;
    tokens.onToken = (token) => {
      if (this.socket && this.socket.readyState === 1) this.socket.send(JSON.stringify({ type: 'AUTH', token }));
    };
    this.connectStream();
    const hb = this.opts.heartbeatMs ?? 20_000;
    this.heartbeat = setInterval(() => {
      const sock = this.socket;
      if (!sock) return;
      if (this.now() - this.lastHeard > 2 * hb) {
        // A black-holed link never closes by itself: give up on this socket and reconnect.
        this.socket = undefined;
        sock.close();
        this.markOffline('stream silent');
        this.scheduleReconnect();
      } else if (sock.readyState === 1) {
        sock.send(JSON.stringify({ type: 'PING' }));
      }
    }, hb);
  }

  private connectStream(): void {
    if (this.stopped || !this.opts.socketFactory) return;
    const url = new URL('/sync/stream', this.opts.tokens.serverUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let sock: SocketLike;
    try {
      sock = this.opts.socketFactory(url.href);
    } catch (err) {
      this.markOffline(err instanceof Error ? err.message : String(err));
      this.scheduleReconnect();
      return;
    }
    this.socket = sock;
    this.lastHeard = this.now();
    sock.onopen = () => {
      this.opts.tokens.accessToken().then(
        (token) => sock.send(JSON.stringify({ type: 'AUTH', token })),
        (err: unknown) => {
          if (err instanceof NetworkError) this.markOffline(err.message);
          sock.close();
        },
      );
    };
    sock.onmessage = (ev) => {
      this.lastHeard = this.now();
      let msg: StreamServerMessage;
      try {
        msg = StreamMessage.parse(JSON.parse(String(ev.data)));
      } catch {
        return;
      }
      if (msg.type === 'READY') {
        this.socketAttempt = 0;
        this.markOnline();
      } else if (msg.type === 'RESYNC') {
        this.resync();
      } else if (msg.type === 'CHANGE') {
        const s = this.streams.get(msg.collection as CollectionName);
        s?.next('RESYNC');
      } else if (msg.type === 'ERROR') {
        if (['SESSION_REVOKED', 'REFRESH_REUSED'].includes(msg.code)) this.opts.tokens.revoked(msg.code);
        else if (msg.code === 'TOKEN_EXPIRED') void this.opts.tokens.refresh().catch(() => undefined);
      }
    };
    sock.onclose = () => {
      if (this.socket === sock) this.socket = undefined;
      if (this.stopped) return;
      this.markOffline('stream closed');
      this.scheduleReconnect();
    };
    sock.onerror = () => {
      // onclose follows and reconnects.
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const wait = backoff(this.socketAttempt++, this.minBackoff, this.maxBackoff);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connectStream();
    }, wait);
  }

  /** Pull every collection again and retry pushes now (after sleep, reconnect, or "network is back"). */
  resync(): void {
    if (!this.socket && !this.stopped) {
      // The link is back (or the machine woke): do not sit out the rest of a backoff.
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
      this.socketAttempt = 0;
      this.connectStream();
    }
    this.retryAttempt = 0;
    this.wakeSleepers();
    for (const s of this.states.values()) s.retryTime = this.minBackoff;
    for (const [name, s] of this.streams) {
      s.next('RESYNC');
      this.states.get(name)?.reSync();
    }
  }

  /** Resolves once every collection has pushed its local writes and pulled the server's state. */
  async awaitInSync(): Promise<void> {
    await Promise.all(this.starting.values());
    await Promise.all([...this.states.values()].map((s) => s.awaitInSync()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.unsubOutbox?.();
    const sock = this.socket;
    this.socket = undefined;
    sock?.close();
    this.opts.tokens.onToken = undefined;
    this.wakeSleepers();
    await Promise.all([...this.states.values()].map((s) => s.cancel()));
    for (const s of this.streams.values()) s.complete();
  }
}
