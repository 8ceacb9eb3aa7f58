import { addRxPlugin, createRxDatabase, type RxCollection, type RxConflictHandler, type RxDatabase, type RxJsonSchema, type RxStorage } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import type {
  AgentDoc, BroadcastDoc, CollectionName, ConfigDoc, CustomerDoc, EvaluationDoc, EventDoc, IdentityDoc,
  InteractionDoc, KnowledgeDoc, OfferDoc, SurveyDoc, ThreadDoc,
} from '../../../shared/model/documents';
import { mergeDocs, sameDoc, type MergeableDoc } from '../../../shared/conflict-merge';
import { appendOnlyCollections, collectionNames } from '../../../shared/model/documents';
import { rxSchemaFor } from '../../../shared/rxdb-schema';
import { migrationStrategies } from './migrations';
import { defaultReplicaStorage } from './replica-storage';

addRxPlugin(RxDBLocalDocumentsPlugin);
addRxPlugin(RxDBMigrationSchemaPlugin);

/** RxDB owns `_deleted`; the replica's document types are the zod types without it. */
type Rx<T> = Omit<T, '_deleted'>;

export interface ReplicaDocTypes {
  customers: Rx<CustomerDoc>;
  identities: Rx<IdentityDoc>;
  threads: Rx<ThreadDoc>;
  interactions: Rx<InteractionDoc>;
  events: Rx<EventDoc>;
  config: Rx<ConfigDoc>;
  agents: Rx<AgentDoc>;
  offers: Rx<OfferDoc>;
  broadcasts: Rx<BroadcastDoc>;
  evaluations: Rx<EvaluationDoc>;
  surveys: Rx<SurveyDoc>;
  knowledge: Rx<KnowledgeDoc>;
}

export type ReplicaCollections = { [K in CollectionName]: RxCollection<ReplicaDocTypes[K]> };
export type ReplicaDatabase = RxDatabase<ReplicaCollections>;

export interface OpenReplicaOptions {
  name: string;
  /** Defaults to the window's replica storage (SQLite on OPFS, else IndexedDB); Node tests pass their own. */
  storage?: RxStorage<unknown, unknown>;
  /** Whether tabs share the database through BroadcastChannel; defaults to what the storage supports. */
  multiInstance?: boolean;
  /**
   * Open only these collections. The app opens all twelve; tests that run several replicas in one
   * process open fewer, because the 13-collection limit counts every database in the process.
   */
  collections?: readonly CollectionName[];
}

/**
 * One database per tenant and user, so switching tenant or agent can never show one user's data
 * to another: the name is derived from both, sanitised to RxDB's allowed characters and suffixed
 * with a hash so that different ids never collapse onto one name.
 */
export function replicaName(tenantId: string, userId: string): string {
  const key = `${tenantId}\u0000${userId}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 24);
  return `tl-${slug(tenantId)}-${slug(userId)}-${h.toString(36)}`;
}

type Plain = Record<string, unknown>;
const RX_META = new Set(['_meta', '_rev', '_attachments']);
function plain(d: Plain): Plain {
  return Object.fromEntries(Object.entries(d).filter(([k]) => !RX_META.has(k)));
}

/**
 * Append-only documents keep the server's version (it can only be the same write arriving twice);
 * mutable ones merge field by field with the shared rule, so replicas and server converge on one state.
 */
export function conflictHandlerFor(name: CollectionName): RxConflictHandler<Plain> {
  return {
    isEqual: (a, b) => sameDoc(plain(a), plain(b)),
    resolve: async (i) => {
      if (appendOnlyCollections.has(name)) return i.realMasterState;
      return mergeDocs(plain(i.realMasterState) as MergeableDoc, plain(i.newDocumentState) as MergeableDoc) as unknown as typeof i.realMasterState;
    },
  };
}

export async function openReplica(opts: OpenReplicaOptions): Promise<ReplicaDatabase> {
  const fallback = opts.storage ? undefined : await defaultReplicaStorage();
  const db = await createRxDatabase<ReplicaCollections>({
    name: opts.name,
    storage: opts.storage ?? fallback!.storage,
    multiInstance: opts.multiInstance ?? fallback?.multiInstance ?? false,
    eventReduce: true,
    localDocuments: true,
    // Dev mode (tests only) would refuse the closeDuplicates path; production never opens twice.
    closeDuplicates: true,
  });
  const spec: Record<string, { schema: RxJsonSchema<unknown>; conflictHandler: RxConflictHandler<Plain>; migrationStrategies: Record<number, (d: Plain) => Plain | null> }> = {};
  for (const name of opts.collections ?? collectionNames) {
    spec[name] = {
      schema: rxSchemaFor(name) as unknown as RxJsonSchema<unknown>,
      conflictHandler: conflictHandlerFor(name),
      migrationStrategies: migrationStrategies[name],
    };
  }
  await db.addCollections(spec as Parameters<typeof db.addCollections>[0]);
  return db;
}
