import { describe, expect, it } from 'vitest';
import { buildInboxRows, formatWait } from './inbox-model';

const base = { tenantId: 't', updatedAt: 0 };
const now = 1_000_000;
const queue = { ...base, id: 'q1', kind: 'queue' as const, name: 'Billing', version: 1, active: true, data: { slaSeconds: 60 } };
const cust = (id: string, keyAccount = false) => ({ ...base, id, name: `Customer ${id}`, keyAccount, tier: 'standard' as const, identities: [], provisional: false });
const thread = (id: string, customerId: string, lastActivityAt = 0, status: 'open' | 'resolved' = 'open') => ({ ...base, id, customerId, status, openedAt: 0, lastActivityAt });
const ix = (id: string, threadId: string, state: 'queued' | 'done', offeredAt: number) => ({
  ...base, id, threadId, customerId: 'x', channel: 'call' as const, direction: 'inbound' as const, queueId: 'q1', state, offeredAt,
});

describe('inbox ordering', () => {
  it('puts SLA breaches first, then key accounts, then longest wait, then the rest by activity', () => {
    const rows = buildInboxRows({
      now,
      queues: [queue],
      customers: [cust('a'), cust('b', true), cust('c'), cust('d'), cust('e')],
      threads: [thread('ta', 'a'), thread('tb', 'b'), thread('tc', 'c'), thread('td', 'd', 500), thread('te', 'e', 900, 'resolved')],
      interactions: [
        ix('1', 'ta', 'queued', now - 10_000), // waiting 10 s
        ix('2', 'tb', 'queued', now - 5_000), // key account, waiting 5 s
        ix('3', 'tc', 'queued', now - 90_000), // past the 60 s SLA
        ix('4', 'td', 'done', 100),
        ix('5', 'te', 'done', 100),
      ],
    });
    expect(rows.map((r) => r.threadId)).toEqual(['tc', 'tb', 'ta', 'td', 'te']);
    expect(rows[0]).toMatchObject({ breached: true, queueName: 'Billing', slaSeconds: 60 });
    expect(rows[3]!.waitingSince).toBeUndefined();
  });
  it('applies the SLA of the waiting channel', () => {
    const q = { ...queue, data: { slaSeconds: 60, slaByChannel: { email: 14_400 } } };
    const rows = buildInboxRows({
      now, queues: [q], customers: [cust('a')], threads: [thread('ta', 'a')],
      interactions: [{ ...ix('1', 'ta', 'queued', now - 600_000), channel: 'email' as const }],
    });
    expect(rows[0]).toMatchObject({ slaSeconds: 14_400, breached: false });
  });
  it('formats waits compactly', () => {
    expect(formatWait(42_000)).toBe('42s');
    expect(formatWait(125_000)).toBe('2m 05s');
    expect(formatWait(3_900_000)).toBe('1h 05m');
  });
});
