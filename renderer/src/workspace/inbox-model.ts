import type { Channel, ConfigDoc, CustomerDoc, InteractionDoc, ThreadDoc } from '../../../shared/model/documents';

type Doc<T> = Omit<T, '_deleted'>;

export interface InboxRow {
  threadId: string;
  customerId: string;
  customerName: string;
  company?: string;
  keyAccount: boolean;
  subject: string;
  channel?: Channel;
  queueName?: string;
  /** Waiting for an agent since (the latest still-open interaction's offer time). */
  waitingSince?: number;
  slaSeconds?: number;
  breached: boolean;
  status: ThreadDoc['status'];
  lastActivityAt: number;
  channels: Channel[];
}

const OPEN_STATES = new Set<InteractionDoc['state']>(['queued', 'offered', 'active', 'wrapup']);

/**
 * The agent's inbox, ordered as contact centers work it: customers past their SLA first, then key
 * accounts, then whoever has waited longest; threads with nobody waiting follow by recent activity.
 */
export function buildInboxRows(input: {
  threads: readonly Doc<ThreadDoc>[];
  interactions: readonly Doc<InteractionDoc>[];
  customers: readonly Doc<CustomerDoc>[];
  queues: readonly Doc<ConfigDoc>[];
  now: number;
}): InboxRow[] {
  const customers = new Map(input.customers.map((c) => [c.id, c]));
  const queues = new Map(input.queues.map((q) => [q.id, q]));
  const byThread = new Map<string, Doc<InteractionDoc>[]>();
  for (const ix of input.interactions) {
    const list = byThread.get(ix.threadId) ?? [];
    list.push(ix);
    byThread.set(ix.threadId, list);
  }
  const rows: InboxRow[] = input.threads.map((t) => {
    const list = (byThread.get(t.id) ?? []).sort((a, b) => (a.offeredAt ?? 0) - (b.offeredAt ?? 0));
    const open = list.filter((ix) => OPEN_STATES.has(ix.state)).at(-1);
    const last = list.at(-1);
    const c = customers.get(t.customerId);
    const q = open?.queueId ? queues.get(open.queueId) : last?.queueId ? queues.get(last.queueId) : undefined;
    const channel = (open ?? last)?.channel ?? t.lastChannel;
    const sla = slaFor(q, channel);
    const waiting = open && (open.state === 'queued' || open.state === 'offered') ? open.offeredAt : undefined;
    return {
      threadId: t.id,
      customerId: t.customerId,
      customerName: c?.name ?? 'Unknown customer',
      company: c?.company,
      keyAccount: c?.keyAccount ?? false,
      subject: t.subject ?? 'No subject',
      channel,
      queueName: q?.name,
      waitingSince: waiting,
      slaSeconds: sla,
      breached: waiting !== undefined && sla !== undefined && input.now - waiting > sla * 1000,
      status: t.status,
      lastActivityAt: t.lastActivityAt,
      channels: [...new Set(list.map((ix) => ix.channel))],
    };
  });
  return rows.sort(compareRows);
}

/** A queue's SLA for one channel (`slaByChannel`), else its single `slaSeconds`. */
export function slaFor(queue: Doc<ConfigDoc> | undefined, channel: Channel | undefined): number | undefined {
  const byChannel = queue?.data.slaByChannel as Partial<Record<Channel, unknown>> | undefined;
  const specific = channel ? byChannel?.[channel] : undefined;
  if (typeof specific === 'number') return specific;
  return typeof queue?.data.slaSeconds === 'number' ? queue.data.slaSeconds : undefined;
}

function compareRows(a: InboxRow, b: InboxRow): number {
  const waitingA = a.waitingSince !== undefined;
  const waitingB = b.waitingSince !== undefined;
  if (waitingA !== waitingB) return waitingA ? -1 : 1;
  if (waitingA && waitingB) {
    if (a.breached !== b.breached) return a.breached ? -1 : 1;
    if (a.keyAccount !== b.keyAccount) return a.keyAccount ? -1 : 1;
    return a.waitingSince! - b.waitingSince!;
  }
  if ((a.status === 'resolved') !== (b.status === 'resolved')) return a.status === 'resolved' ? 1 : -1;
  return b.lastActivityAt - a.lastActivityAt;
}

export function formatWait(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
