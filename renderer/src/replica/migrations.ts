import type { CollectionName } from '../../../shared/model/documents';

/**
 * Schema migrations per collection, keyed by the version they migrate *to* (RxDB's convention; a
 * replica that skipped releases runs them in a chain). RxDB runs them when `openReplica` opens the
 * collection, on the documents and on the replication's stored copy of the server state alike, so a
 * converted document is not mistaken for a local edit and pushed. Tombstones go through them too.
 *
 * Every document in the replica is a copy of the server's, so a strategy that cannot convert an old
 * document may return null to drop it: RxDB keeps the replication checkpoint across the migration,
 * but the version change makes the sync client pull that collection once more from the start
 * (`repull.ts`), which brings the server's current version back — and also replaces the converted
 * documents that were not edited locally. A dropped document's unpushed local edit (an offline note)
 * is lost with it, so convert rather than drop in collections agents write to.
 */
export type MigrationStrategy = (oldDoc: Record<string, unknown>) => Record<string, unknown> | null;

export const migrationStrategies: Record<CollectionName, Record<number, MigrationStrategy>> = {
  customers: {},
  identities: {},
  threads: {},
  interactions: {},
  events: {},
  config: {},
  agents: {},
  offers: {},
  broadcasts: {},
  evaluations: {},
  surveys: {},
  knowledge: {},
};
