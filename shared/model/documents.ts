import { z } from 'zod';

/**
 * The replicated data model. One source of truth: the server validates pushes with these schemas,
 * the client derives its RxDB JSON schemas from them, and the UI types come from `z.infer`.
 *
 * The client replica may open at most 13 RxDB collections (open-source RxDB refuses the 14th with
 * COL23), so small reference lists live in `config` keyed by `kind`, and notes, wrap-ups, call legs
 * and quality stats are kinds of `event`.
 */

export const Id = z.string().min(1).max(64);
export const TenantId = z.string().min(1).max(64);
/** Milliseconds since the epoch; numbers sort and index well in RxDB and Postgres alike. */
export const Millis = z.number().int().min(0).max(8_640_000_000_000_000);

export const baseDoc = {
  id: Id,
  tenantId: TenantId,
  updatedAt: Millis,
  _deleted: z.boolean().default(false),
  /** Per-field edit times for mutable documents (see shared/conflict-merge.ts); absent = all fields at updatedAt. */
  fieldTimes: z.record(z.string().max(64), Millis).optional(),
};

export const Channel = z.enum(['call', 'email', 'sms', 'chat', 'webform']);
export type Channel = z.infer<typeof Channel>;

export const IdentityKind = z.enum(['phone', 'email', 'chat', 'external']);
export type IdentityKind = z.infer<typeof IdentityKind>;

export const CustomerDoc = z.object({
  ...baseDoc,
  name: z.string().max(200),
  company: z.string().max(200).optional(),
  keyAccount: z.boolean().default(false),
  tier: z.enum(['standard', 'gold', 'platinum']).default('standard'),
  /** The customer's own agent: routing offers them first. */
  ownerAgentId: Id.optional(),
  identities: z.array(z.object({ kind: IdentityKind, value: z.string().max(320) })).max(50),
  provisional: z.boolean().default(false),
  /** Set when this customer was merged into another; lookups follow it. */
  mergedInto: Id.optional(),
  notes: z.string().max(20_000).optional(),
  language: z.string().max(16).optional(),
});
export type CustomerDoc = z.infer<typeof CustomerDoc>;

/** Flattened lookup row, because RxDB cannot index array fields (SC36). id = `${kind}:${value}`. */
export const IdentityDoc = z.object({
  ...baseDoc,
  kind: IdentityKind,
  value: z.string().max(320),
  customerId: Id,
});
export type IdentityDoc = z.infer<typeof IdentityDoc>;

export const ThreadDoc = z.object({
  ...baseDoc,
  customerId: Id,
  subject: z.string().max(500).optional(),
  status: z.enum(['open', 'pending', 'resolved']),
  openedAt: Millis,
  lastActivityAt: Millis,
  lastChannel: Channel.optional(),
});
export type ThreadDoc = z.infer<typeof ThreadDoc>;

export const InteractionDoc = z.object({
  ...baseDoc,
  threadId: Id,
  customerId: Id,
  channel: Channel,
  direction: z.enum(['inbound', 'outbound']),
  queueId: Id.optional(),
  agentId: Id.optional(),
  state: z.enum(['queued', 'offered', 'active', 'wrapup', 'done', 'missed', 'abandoned']),
  offeredAt: Millis.optional(),
  answeredAt: Millis.optional(),
  endedAt: Millis.optional(),
  wrapupDoneAt: Millis.optional(),
  /** Channel hop: the interaction this one continues. */
  hopFrom: z.object({ channel: Channel, interactionId: Id, at: Millis }).optional(),
  /** Channel-specific addressing: email Message-ID, SIP Call-ID, phone number, chat session. */
  externalRef: z.string().max(500).optional(),
  subject: z.string().max(500).optional(),
});
export type InteractionDoc = z.infer<typeof InteractionDoc>;

export const EventKind = z.enum([
  'message', 'note', 'call_leg', 'transfer', 'hold', 'dtmf', 'quality', 'state', 'wrapup',
]);
export type EventKind = z.infer<typeof EventKind>;

/** Append-only: an event is written once and never edited, so it cannot conflict. */
export const EventDoc = z.object({
  ...baseDoc,
  threadId: Id,
  interactionId: Id,
  customerId: Id,
  kind: EventKind,
  at: Millis,
  authorId: Id.optional(),
  /** Free-form, kind-specific body (message text, note, wrap-up reasons, call stats). */
  body: z.record(z.string(), z.unknown()),
});
export type EventDoc = z.infer<typeof EventDoc>;

export const ConfigKind = z.enum(['reason', 'skill', 'queue', 'agent_state', 'tenant_settings']);
export const ConfigDoc = z.object({
  ...baseDoc,
  kind: ConfigKind,
  name: z.string().max(200),
  /** Business-edited lists are versioned so a wrap-up records which list it used. */
  version: z.number().int().min(0).max(1_000_000).default(1),
  active: z.boolean().default(true),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type ConfigDoc = z.infer<typeof ConfigDoc>;

export const AgentDoc = z.object({
  ...baseDoc,
  userId: Id,
  displayName: z.string().max(200),
  extension: z.string().max(64).optional(),
  sipUri: z.string().max(320).optional(),
  skills: z.array(z.object({ skillId: Id, level: z.number().int().min(1).max(10) })).max(100),
  queueIds: z.array(Id).max(100),
  state: z.enum(['offline', 'available', 'busy', 'wrapup', 'away']),
  stateReason: z.string().max(100).optional(),
  stateSince: Millis,
});
export type AgentDoc = z.infer<typeof AgentDoc>;

export const OfferDoc = z.object({
  ...baseDoc,
  interactionId: Id,
  agentId: Id,
  queueId: Id,
  leaseUntil: Millis,
  status: z.enum(['pending', 'accepted', 'declined', 'expired']),
  reason: z.enum(['owner', 'skill', 'escalation']),
});
export type OfferDoc = z.infer<typeof OfferDoc>;

export const BroadcastDoc = z.object({
  ...baseDoc,
  severity: z.enum(['info', 'warning', 'critical']),
  title: z.string().max(200),
  body: z.string().max(5000),
  startsAt: Millis,
  endsAt: Millis.optional(),
  queueIds: z.array(Id).max(100).optional(),
});
export type BroadcastDoc = z.infer<typeof BroadcastDoc>;

export const EvaluationDoc = z.object({
  ...baseDoc,
  interactionId: Id,
  agentId: Id,
  reviewerId: Id,
  scores: z.record(z.string(), z.number().min(0).max(100)),
  coachingNotes: z.string().max(20_000),
  acknowledgedAt: Millis.optional(),
});
export type EvaluationDoc = z.infer<typeof EvaluationDoc>;

export const SurveyDoc = z.object({
  ...baseDoc,
  interactionId: Id,
  customerId: Id,
  csat: z.number().int().min(1).max(5).optional(),
  effort: z.number().int().min(1).max(7).optional(),
  comment: z.string().max(5000).optional(),
});
export type SurveyDoc = z.infer<typeof SurveyDoc>;

export const KnowledgeDoc = z.object({
  ...baseDoc,
  title: z.string().max(300),
  body: z.string().max(100_000),
  tags: z.array(z.string().max(50)).max(50),
});
export type KnowledgeDoc = z.infer<typeof KnowledgeDoc>;

/** Every replicated collection and its schema. Twelve: one slot below RxDB's limit stays free. */
export const collections = {
  customers: CustomerDoc,
  identities: IdentityDoc,
  threads: ThreadDoc,
  interactions: InteractionDoc,
  events: EventDoc,
  config: ConfigDoc,
  agents: AgentDoc,
  offers: OfferDoc,
  broadcasts: BroadcastDoc,
  evaluations: EvaluationDoc,
  surveys: SurveyDoc,
  knowledge: KnowledgeDoc,
} as const;
export type CollectionName = keyof typeof collections;
export const collectionNames = Object.keys(collections) as CollectionName[];

/** Collections whose documents are never edited after creation: they merge by union, never conflict. */
export const appendOnlyCollections: ReadonlySet<CollectionName> = new Set(['events', 'surveys']);

export function isCollectionName(name: string): name is CollectionName {
  return Object.prototype.hasOwnProperty.call(collections, name);
}
