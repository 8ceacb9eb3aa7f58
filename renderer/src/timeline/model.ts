import { z } from 'zod';
import { CustomerDoc, EventDoc, InteractionDoc, ThreadDoc, type Channel } from '../../../shared/model/documents';

/**
 * The customer's whole history as the timeline shows it. It arrives from the server's timeline
 * endpoint or is read from the local replica; either way it is validated here, at the border.
 */
export const TimelineData = z.object({
  customer: CustomerDoc,
  customerIds: z.array(z.string()).default([]),
  threads: z.array(ThreadDoc),
  interactions: z.array(InteractionDoc),
  events: z.array(EventDoc),
  agents: z.record(z.string(), z.string()).default({}),
});
export type TimelineData = z.infer<typeof TimelineData>;

export const CHANNEL_LABEL: Record<Channel, string> = { call: 'Call', email: 'Email', sms: 'SMS', chat: 'Chat', webform: 'Web form' };

export type TimelineItem =
  | { type: 'thread'; key: string; thread: ThreadDoc; interactionCount: number; channels: Channel[] }
  | { type: 'interaction'; key: string; interaction: InteractionDoc; at: number; handler?: string | undefined; hop?: { channel: Channel; at: number; label: string } | undefined }
  | { type: 'event'; key: string; event: EventDoc; interaction: InteractionDoc; author?: string | undefined };

export function interactionTime(ix: Pick<InteractionDoc, 'offeredAt' | 'answeredAt' | 'updatedAt'>): number {
  return ix.offeredAt ?? ix.answeredAt ?? ix.updatedAt;
}

export function formatClock(at: number, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, ...(timeZone ? { timeZone } : {}) }).format(at);
}

/** A channel as a word in a sentence: "email", "chat", but "SMS". */
export function channelWord(channel: Channel): string {
  return channel === 'sms' ? 'SMS' : CHANNEL_LABEL[channel].toLowerCase();
}

/** "continued from chat 14:02" — the words agents use for a channel hop. */
export function hopLabel(channel: Channel, at: number, timeZone?: string): string {
  return `continued from ${channelWord(channel)} ${formatClock(at, timeZone)}`;
}

/**
 * Flattens threads → interactions → events into one ordered list: threads newest first (the live
 * conversation on top), and inside a thread everything oldest first, the way a conversation reads.
 * Ties break on id so two replicas render the same order.
 */
export function buildTimeline(data: TimelineData, timeZone?: string): TimelineItem[] {
  const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const threads = data.threads.filter((t) => !t._deleted).sort((a, b) => b.lastActivityAt - a.lastActivityAt || byId(a, b));
  const eventsByIx = new Map<string, EventDoc[]>();
  for (const e of data.events) {
    if (e._deleted) continue;
    const list = eventsByIx.get(e.interactionId) ?? [];
    list.push(e);
    eventsByIx.set(e.interactionId, list);
  }
  const out: TimelineItem[] = [];
  for (const t of threads) {
    const ixs = data.interactions.filter((i) => i.threadId === t.id && !i._deleted).sort((a, b) => interactionTime(a) - interactionTime(b) || byId(a, b));
    out.push({ type: 'thread', key: `t:${t.id}`, thread: t, interactionCount: ixs.length, channels: [...new Set(ixs.map((i) => i.channel))] });
    for (const ix of ixs) {
      out.push({
        type: 'interaction', key: `i:${ix.id}`, interaction: ix, at: interactionTime(ix),
        handler: ix.agentId ? (data.agents[ix.agentId] ?? 'Agent') : undefined,
        hop: ix.hopFrom ? { channel: ix.hopFrom.channel, at: ix.hopFrom.at, label: hopLabel(ix.hopFrom.channel, ix.hopFrom.at, timeZone) } : undefined,
      });
      const evs = (eventsByIx.get(ix.id) ?? []).sort((a, b) => a.at - b.at || byId(a, b));
      for (const e of evs) out.push({ type: 'event', key: `e:${e.id}`, event: e, interaction: ix, author: e.authorId ? data.agents[e.authorId] : undefined });
    }
  }
  return out;
}

/** Plain text of an event for search and previews; HTML is never searched as markup. */
export function eventText(e: EventDoc): string {
  const b = e.body;
  const parts: string[] = [];
  for (const k of ['subject', 'text', 'note', 'outcome', 'notes'] as const) {
    const v = b[k];
    if (typeof v === 'string') parts.push(v);
  }
  const reasons = b.reasons;
  if (Array.isArray(reasons)) parts.push(...reasons.filter((r): r is string => typeof r === 'string'));
  return parts.join('\n');
}

export interface SearchHit {
  key: string;
  index: number;
}

/** Case- and accent-insensitive search over the customer's history; returns matching item positions. */
export function searchTimeline(items: readonly TimelineItem[], query: string): SearchHit[] {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const q = fold(query.trim());
  if (!q) return [];
  const hits: SearchHit[] = [];
  items.forEach((it, index) => {
    const hay = it.type === 'event' ? eventText(it.event)
      : it.type === 'interaction' ? `${it.interaction.subject ?? ''} ${CHANNEL_LABEL[it.interaction.channel]} ${it.handler ?? ''}`
        : (it.thread.subject ?? '');
    if (fold(hay).includes(q)) hits.push({ key: it.key, index });
  });
  return hits;
}

/** Wrap-up reasons recorded on an interaction (events of kind `wrapup`). */
export function wrapupReasons(e: EventDoc): string[] {
  const r = e.body.reasons;
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}
