import { z } from 'zod';

/**
 * Wire contract between the RxDB replication client (renderer) and the sync server.
 *
 * - pull:   GET  /sync/:collection/pull?seq=<n>&limit=<n>   → PullResponse
 * - push:   POST /sync/:collection/push  body PushRequest     → PushResponse (conflicts, never overwrites)
 * - stream: WS   /sync/stream  first client message is Auth (tokens never travel in URLs)
 */

export const Checkpoint = z.object({ seq: z.number().int().min(0) });
export type Checkpoint = z.infer<typeof Checkpoint>;

export const PullQuery = z.object({
  seq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
export type PullQuery = z.infer<typeof PullQuery>;

export interface PullResponse<Doc = Record<string, unknown>> {
  documents: Doc[];
  checkpoint: Checkpoint;
}

export const PushRow = z.object({
  newDocumentState: z.record(z.string(), z.unknown()),
  assumedMasterState: z.record(z.string(), z.unknown()).nullish(),
});
export const PushRequest = z.object({ rows: z.array(PushRow).max(1000) });
export type PushRequest = z.infer<typeof PushRequest>;

export interface PushResponse<Doc = Record<string, unknown>> {
  /** The server's current state of every document whose assumed master state was stale. */
  conflicts: Doc[];
}

export const StreamClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('AUTH'), token: z.string().min(1).max(4096) }),
  z.object({ type: z.literal('PING') }),
]);
export type StreamClientMessage = z.infer<typeof StreamClientMessage>;

export type StreamServerMessage =
  | { type: 'READY' }
  | { type: 'CHANGE'; collection: string; seq: number }
  | { type: 'RESYNC' }
  | { type: 'PONG' }
  | { type: 'ERROR'; code: string; message: string };
