import type { Channel } from './model/documents';

/**
 * Thread assembly: which conversation a new contact belongs to. It is pure and depends only on the
 * *set* of a customer's threads and interactions, never on the order they were read in, so the
 * server (ingress) and a client replica (offline-created contacts) reach the same answer from the
 * same data.
 *
 * Rule: a contact joins the customer's most recently active thread if that thread is unresolved
 * (open or pending — however old) or was active within the tenant's window; otherwise it starts a
 * new thread. When it joins and the previous interaction of the thread was on another channel, the
 * contact records the hop (`hopFrom`).
 */

export const DAY_MS = 86_400_000;
export const DEFAULT_THREAD_WINDOW_DAYS = 7;

export interface ThreadState {
  id: string;
  status: 'open' | 'pending' | 'resolved';
  openedAt: number;
  lastActivityAt: number;
}

export interface InteractionRef {
  id: string;
  threadId: string;
  channel: Channel;
  at: number;
}

export interface Contact {
  /** The new interaction's id (made by whoever creates it, so ties break the same everywhere). */
  id: string;
  channel: Channel;
  at: number;
}

export interface HopFrom {
  channel: Channel;
  interactionId: string;
  at: number;
}

export type ThreadDecision =
  | { kind: 'join'; threadId: string; hopFrom?: HopFrom }
  | { kind: 'new' };

export interface AssemblySettings {
  threadWindowDays: number;
}

/** Total order on (time, id): equal timestamps are common (bulk imports, clock granularity). */
function later(a: { at: number; id: string }, b: { at: number; id: string }): boolean {
  return a.at > b.at || (a.at === b.at && a.id > b.id);
}

export function isThreadEligible(t: ThreadState, at: number, settings: AssemblySettings): boolean {
  if (t.openedAt > at) return false;
  if (t.status !== 'resolved') return true;
  return at - t.lastActivityAt <= settings.threadWindowDays * DAY_MS;
}

/**
 * Decides for one contact. `threads` and `interactions` are everything known for the customer
 * (including customers merged into it); the contact itself may or may not be among the interactions.
 */
export function decideThread(
  contact: Contact,
  threads: readonly ThreadState[],
  interactions: readonly InteractionRef[],
  settings: AssemblySettings,
): ThreadDecision {
  let best: ThreadState | undefined;
  for (const t of threads) {
    if (!isThreadEligible(t, contact.at, settings)) continue;
    if (!best || later({ at: t.lastActivityAt, id: t.id }, { at: best.lastActivityAt, id: best.id })) best = t;
  }
  if (!best) return { kind: 'new' };
  let prev: InteractionRef | undefined;
  for (const ix of interactions) {
    if (ix.threadId !== best.id || ix.id === contact.id) continue;
    if (!later(contact, ix)) continue;
    if (!prev || later(ix, prev)) prev = ix;
  }
  if (prev && prev.channel !== contact.channel) {
    return { kind: 'join', threadId: best.id, hopFrom: { channel: prev.channel, interactionId: prev.id, at: prev.at } };
  }
  return { kind: 'join', threadId: best.id };
}

export interface ReplayContact extends Contact {
  /** The contact's wrap-up resolved the thread. */
  resolves?: boolean;
}

export interface Assignment {
  threadId: string;
  hopFrom?: HopFrom;
}

/**
 * Assembles a whole contact history from scratch (re-threading after a merge, checking a replica).
 * Contacts are processed in (time, id) order whatever order they arrive in, and a new thread takes
 * the id `thread:<first contact id>`, so every replica rebuilds identical threads.
 */
export function assembleThreads(contacts: readonly ReplayContact[], settings: AssemblySettings): Map<string, Assignment> {
  const sorted = [...contacts].sort((a, b) => (a.at - b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const threads = new Map<string, ThreadState>();
  const interactions: InteractionRef[] = [];
  const out = new Map<string, Assignment>();
  for (const c of sorted) {
    if (out.has(c.id)) continue;
    const d = decideThread(c, [...threads.values()], interactions, settings);
    let threadId: string;
    if (d.kind === 'new') {
      threadId = `thread:${c.id}`;
      threads.set(threadId, { id: threadId, status: 'open', openedAt: c.at, lastActivityAt: c.at });
      out.set(c.id, { threadId });
    } else {
      threadId = d.threadId;
      out.set(c.id, d.hopFrom ? { threadId, hopFrom: d.hopFrom } : { threadId });
    }
    const t = threads.get(threadId)!;
    threads.set(threadId, { ...t, status: c.resolves ? 'resolved' : 'open', lastActivityAt: Math.max(t.lastActivityAt, c.at) });
    interactions.push({ id: c.id, threadId, channel: c.channel, at: c.at });
  }
  return out;
}
