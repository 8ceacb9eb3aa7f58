import { z } from 'zod';
import { collections, type CollectionName } from './model/documents';

/**
 * RxDB JSON schemas derived from the zod document schemas, so the replica and the server validate
 * against one definition. Kept free of rxdb imports (shared/ is pure); the renderer hands these
 * objects to RxDB as they are.
 *
 * RxDB's rules that shape the derivation:
 * - `_deleted` is RxDB's own field and may not be declared; it is dropped.
 * - every indexed field must be required; indexed strings need `maxLength`, indexed numbers need
 *   `minimum`, `maximum` and `multipleOf` (RxDB builds fixed-width index strings from them).
 * - arrays cannot be indexed, which is why `identities` exists as its own collection.
 * - `default` is allowed on top-level fields only, and the replica never creates a document
 *   without running it through zod first, so every `default` is dropped.
 * - the top level is left open (no `additionalProperties: false`): a newer server may add fields,
 *   and an older client must keep the document rather than reject the whole pull batch.
 */

export interface RxSchemaLike {
  version: number;
  title: string;
  primaryKey: 'id';
  type: 'object';
  properties: Record<string, JsonSchemaNode>;
  required: string[];
  indexes: Array<string | string[]>;
}

export type JsonSchemaNode = { [key: string]: unknown };

/**
 * Bump a collection's version when its schema changes incompatibly, and add a migration for the
 * new version in the renderer (renderer/src/replica/migrations.ts). The replica can also be
 * re-pulled from the server, so a migration may simply drop documents it cannot convert.
 */
export const schemaVersions: Record<CollectionName, number> = {
  customers: 0,
  identities: 0,
  threads: 0,
  interactions: 0,
  events: 0,
  config: 0,
  agents: 0,
  offers: 0,
  broadcasts: 0,
  evaluations: 0,
  surveys: 0,
  knowledge: 0,
};

/** Indexes follow the replica's read paths: screen pop (identity → customer → threads → events) and thread views. */
export const collectionIndexes: Record<CollectionName, Array<string | string[]>> = {
  customers: ['name'],
  identities: ['customerId'],
  threads: [['customerId', 'lastActivityAt']],
  interactions: [['threadId', 'updatedAt'], ['customerId', 'updatedAt']],
  // Thread views sort events by time: without the compound index RxDB sorts in memory.
  events: [['threadId', 'at'], ['customerId', 'at']],
  config: ['kind'],
  agents: ['userId'],
  offers: ['agentId'],
  broadcasts: ['startsAt'],
  evaluations: ['agentId'],
  surveys: ['interactionId'],
  knowledge: [],
};

const DROPPED_KEYWORDS = new Set(['$schema', 'default', 'propertyNames']);

function clean(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchemaNode = {};
  for (const [k, v] of Object.entries(node as JsonSchemaNode)) {
    if (DROPPED_KEYWORDS.has(k)) continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as JsonSchemaNode).map(([p, s]) => [p, clean(s)])) : clean(v);
  }
  return out;
}

function prepareIndexed(collection: string, field: string, node: JsonSchemaNode): JsonSchemaNode {
  if (node.type === 'string') {
    if (typeof node.maxLength === 'number') return node;
    if (Array.isArray(node.enum)) return { ...node, maxLength: Math.max(...node.enum.map((e) => String(e).length)) };
    throw new Error(`${collection}.${field}: an indexed string needs maxLength`);
  }
  if (node.type === 'integer' || node.type === 'number') {
    if (typeof node.minimum !== 'number' || typeof node.maximum !== 'number') {
      throw new Error(`${collection}.${field}: an indexed number needs minimum and maximum`);
    }
    return { ...node, type: 'number', multipleOf: node.type === 'integer' ? 1 : (node.multipleOf ?? 0.001) };
  }
  if (node.type === 'boolean') return node;
  throw new Error(`${collection}.${field}: type ${String(node.type)} cannot be indexed`);
}

export function rxSchemaFor(name: CollectionName): RxSchemaLike {
  const json = z.toJSONSchema(collections[name], { io: 'output', unrepresentable: 'throw' }) as JsonSchemaNode;
  const props = clean(json.properties) as Record<string, JsonSchemaNode>;
  delete props._deleted;
  const required = new Set(((json.required as string[] | undefined) ?? []).filter((r) => r !== '_deleted'));
  const indexes = collectionIndexes[name];
  for (const field of new Set(indexes.flat())) {
    const node = props[field];
    if (!node) throw new Error(`${name}: index on unknown field ${field}`);
    if (!required.has(field)) throw new Error(`${name}.${field}: indexed fields must be required`);
    props[field] = prepareIndexed(name, field, node);
  }
  // The primary key must have a bounded length as well.
  props.id = prepareIndexed(name, 'id', props.id!);
  return {
    version: schemaVersions[name],
    title: name,
    primaryKey: 'id',
    type: 'object',
    properties: props,
    required: [...required],
    indexes,
  };
}

export function allRxSchemas(): Record<CollectionName, RxSchemaLike> {
  return Object.fromEntries(Object.keys(collections).map((n) => [n, rxSchemaFor(n as CollectionName)])) as Record<CollectionName, RxSchemaLike>;
}
