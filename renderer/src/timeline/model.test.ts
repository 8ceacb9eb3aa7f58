import { describe, expect, it } from 'vitest';
import { buildTimeline, hopLabel, searchTimeline, TimelineData } from './model';

const base = { tenantId: 'demo', updatedAt: 1, _deleted: false };
const T = Date.UTC(2026, 10, 24, 9, 2);
const data = TimelineData.parse({
  customer: { ...base, id: 'c1', name: 'Alice Fenwick', identities: [{ kind: 'email', value: 'alice@example.org' }] },
  customerIds: ['c1', 'c2'],
  threads: [
    { ...base, id: 'old', customerId: 'c1', status: 'resolved', openedAt: T - 90 * 86_400_000, lastActivityAt: T - 89 * 86_400_000, subject: 'Moving house' },
    { ...base, id: 'live', customerId: 'c1', status: 'open', openedAt: T, lastActivityAt: T + 3_600_000, subject: 'Meter reading dispute' },
    { ...base, id: 'gone', customerId: 'c2', status: 'open', openedAt: T, lastActivityAt: T, _deleted: true },
  ],
  interactions: [
    { ...base, id: 'i3', threadId: 'live', customerId: 'c1', channel: 'call', direction: 'inbound', state: 'done', offeredAt: T + 3_600_000, agentId: 'a1', hopFrom: { channel: 'sms', interactionId: 'i2', at: T + 720_000 } },
    { ...base, id: 'i1', threadId: 'live', customerId: 'c1', channel: 'email', direction: 'inbound', state: 'queued', offeredAt: T },
    { ...base, id: 'i2', threadId: 'live', customerId: 'c1', channel: 'sms', direction: 'inbound', state: 'queued', offeredAt: T + 720_000, hopFrom: { channel: 'email', interactionId: 'i1', at: T } },
    { ...base, id: 'i0', threadId: 'old', customerId: 'c1', channel: 'chat', direction: 'inbound', state: 'done', offeredAt: T - 90 * 86_400_000 },
  ],
  events: [
    { ...base, id: 'e2', threadId: 'live', interactionId: 'i2', customerId: 'c2', kind: 'message', at: T + 720_000, body: { from: 'customer', text: 'Any news on my Meter?' } },
    { ...base, id: 'e1', threadId: 'live', interactionId: 'i1', customerId: 'c1', kind: 'message', at: T, body: { from: 'customer', subject: 'Meter reading dispute', text: 'my meter read 31877' } },
    { ...base, id: 'e3', threadId: 'live', interactionId: 'i3', customerId: 'c1', kind: 'wrapup', at: T + 4_000_000, authorId: 'a1', body: { reasons: ['Meter reading'], outcome: 'resolved' } },
  ],
  agents: { a1: 'Maya Patel' },
});

describe('timeline model', () => {
  it('orders threads newest first and their contents oldest first, skipping retired threads', () => {
    const items = buildTimeline(data, 'UTC');
    expect(items.map((i) => i.key)).toEqual(['t:live', 'i:i1', 'e:e1', 'i:i2', 'e:e2', 'i:i3', 'e:e3', 't:old', 'i:i0']);
  });
  it('labels hops the way agents say them and names the handler', () => {
    const items = buildTimeline(data, 'UTC');
    const hops = items.flatMap((i) => (i.type === 'interaction' && i.hop ? [i.hop.label] : []));
    expect(hops).toEqual(['continued from email 09:02', 'continued from SMS 09:14']);
    expect(items.find((i) => i.key === 'i:i3')).toMatchObject({ handler: 'Maya Patel' });
    expect(hopLabel('chat', Date.UTC(2026, 0, 1, 14, 2), 'UTC')).toBe('continued from chat 14:02');
  });
  it('searches text, subjects and wrap-up reasons case-insensitively', () => {
    const items = buildTimeline(data, 'UTC');
    expect(searchTimeline(items, 'METER').map((h) => h.key)).toEqual(['t:live', 'e:e1', 'e:e2', 'e:e3']);
    expect(searchTimeline(items, '31877').map((h) => h.key)).toEqual(['e:e1']);
    expect(searchTimeline(items, '  ')).toEqual([]);
  });
});
