import { addRxPlugin, createRxDatabase, type RxCollection, type RxDatabase, type RxJsonSchema, type RxStorage } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type {
  AgentDoc, BroadcastDoc, CollectionName, ConfigDoc, CustomerDoc, EvaluationDoc, EventDoc, IdentityDoc,
  InteractionDoc, KnowledgeDoc, OfferDoc, SurveyDoc, ThreadDoc,
} from '../../../shared/model/documents';
import { collectionNames } from '../../../shared/model/documents';
import { rxSchemaFor } from '../../../shared/rxdb-schema';
import { migrationStrategies } from './migrations';

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
  /** Defaults to Dexie on the browser's IndexedDB; Node tests pass Dexie over fake-indexeddb. */
  storage?: RxStorage<unknown, unknown>;
  /** Several tabs of the web host share one database through BroadcastChannel; Node tests turn it off. */
  multiInstance?: boolean;
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

export async function openReplica(opts: OpenReplicaOptions): Promise<ReplicaDatabase> {
  const db = await createRxDatabase<ReplicaCollections>({
    name: opts.name,
    storage: opts.storage ?? getRxStorageDexie(),
    multiInstance: opts.multiInstance ?? true,
    eventReduce: true,
    localDocuments: true,
    // Dev mode (tests only) would refuse the closeDuplicates path; production never opens twice.
    closeDuplicates: true,
  });
  const spec: Record<string, { schema: RxJsonSchema<unknown>; migrationStrategies: Record<number, (d: Record<string, unknown>) => Record<string, unknown> | null> }> = {};
  for (const name of collectionNames) {
    spec[name] = {
      schema: rxSchemaFor(name) as unknown as RxJsonSchema<unknown>,
      migrationStrategies: migrationStrategies[name],
    };
  }
  await db.addCollections(spec as Parameters<typeof db.addCollections>[0]);
  return db;
}
