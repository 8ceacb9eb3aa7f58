import type { CollectionName } from '../../../shared/model/documents';
import { schemaVersions } from '../../../shared/rxdb-schema';
import { migrationStrategies, type MigrationStrategy } from './migrations';

/**
 * Tests only: makes `collection` look like a release that raised its schema version and added these
 * strategies (keyed by the version they migrate to, the highest becomes the schema version). It edits
 * the two shared tables in place so that `openReplica` and `openWorkspace` run their production path
 * unchanged; the returned function restores both. Vitest gives each test file its own module graph,
 * so the change cannot leak into another file.
 */
export function bumpSchemaForTest(collection: CollectionName, strategies: Record<number, MigrationStrategy>): () => void {
  const versions = Object.keys(strategies).map(Number);
  if (versions.length === 0) throw new Error('bumpSchemaForTest needs at least one strategy');
  const previousVersion = schemaVersions[collection];
  const previousStrategies = migrationStrategies[collection];
  schemaVersions[collection] = Math.max(...versions);
  migrationStrategies[collection] = { ...previousStrategies, ...strategies };
  return () => {
    schemaVersions[collection] = previousVersion;
    migrationStrategies[collection] = previousStrategies;
  };
}
