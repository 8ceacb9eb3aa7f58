import type { CollectionName } from '../../../shared/model/documents';

/**
 * Schema migrations per collection, keyed by the version they migrate *to* (RxDB's convention).
 * Every document in the replica is a copy of the server's; a strategy that cannot convert an old
 * document may return null to drop it, and the next pull brings the server's current version back.
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
