import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Channel } from './model/documents';
import { assembleThreads, DAY_MS, decideThread, type InteractionRef, type ReplayContact, type ThreadState } from './thread-assembly';

const settings = { threadWindowDays: 7 };
const T0 = Date.UTC(2026, 10, 24, 9, 0);

describe('decideThread', () => {
  const open: ThreadState = { id: 't1', status: 'open', openedAt: T0, lastActivityAt: T0 + 60_000 };
  const ix: InteractionRef[] = [
    { id: 'i1', threadId: 't1', channel: 'email', at: T0 },
    { id: 'i2', threadId: 't1', channel: 'chat', at: T0 + 60_000 },
  ];

  it('joins the open thread and records the hop from the latest interaction on another channel', () => {
    expect(decideThread({ id: 'i3', channel: 'call', at: T0 + 120_000 }, [open], ix, settings))
      .toEqual({ kind: 'join', threadId: 't1', hopFrom: { channel: 'chat', interactionId: 'i2', at: T0 + 60_000 } });
  });
  it('joins without a hop on the same channel', () => {
    expect(decideThread({ id: 'i3', channel: 'chat', at: T0 + 120_000 }, [open], ix, settings)).toEqual({ kind: 'join', threadId: 't1' });
  });
  it('joins an unresolved thread however old, a resolved one only inside the window', () => {
    const late = T0 + 30 * DAY_MS;
    expect(decideThread({ id: 'i3', channel: 'sms', at: late }, [open], ix, settings)).toMatchObject({ kind: 'join' });
    const resolved = { ...open, status: 'resolved' as const };
    expect(decideThread({ id: 'i3', channel: 'sms', at: late }, [resolved], ix, settings)).toEqual({ kind: 'new' });
    expect(decideThread({ id: 'i3', channel: 'sms', at: T0 + 6 * DAY_MS }, [resolved], ix, settings)).toMatchObject({ kind: 'join', threadId: 't1' });
  });
  it('starts a thread when the customer has none', () => {
    expect(decideThread({ id: 'i1', channel: 'email', at: T0 }, [], [], settings)).toEqual({ kind: 'new' });
  });
  it('never joins a thread opened after the contact', () => {
    expect(decideThread({ id: 'i0', channel: 'email', at: T0 - 1 }, [open], ix, settings)).toEqual({ kind: 'new' });
  });
});

const channel = fc.constantFrom<Channel>('call', 'email', 'sms', 'chat', 'webform');
const contacts = fc.uniqueArray(
  fc.record({
    id: fc.stringMatching(/^[0-9A-Z]{6}$/),
    channel,
    at: fc.integer({ min: T0, max: T0 + 60 * DAY_MS }),
    resolves: fc.boolean(),
  }),
  { selector: (c) => c.id, minLength: 1, maxLength: 40 },
);

describe('properties', () => {
  it('decideThread does not depend on the order of threads or interactions', () => {
    const threads = fc.uniqueArray(
      fc.record({ id: fc.stringMatching(/^t[0-9]{2}$/), status: fc.constantFrom<'open' | 'pending' | 'resolved'>('open', 'pending', 'resolved'), openedAt: fc.integer({ min: T0, max: T0 + 10 * DAY_MS }), span: fc.integer({ min: 0, max: 20 * DAY_MS }) }),
      { selector: (t) => t.id, maxLength: 6 },
    ).map((ts) => ts.map(({ span, ...t }) => ({ ...t, lastActivityAt: t.openedAt + span })));
    fc.assert(fc.property(threads, contacts, fc.integer({ min: T0, max: T0 + 40 * DAY_MS }), channel, (ts, cs, at, ch) => {
      const ixs: InteractionRef[] = cs.map((c, i) => ({ id: c.id, threadId: ts.length ? ts[i % ts.length]!.id : 'none', channel: c.channel, at: c.at }));
      const contact = { id: 'ZZZZZZZ', channel: ch, at };
      const a = decideThread(contact, ts, ixs, settings);
      const b = decideThread(contact, [...ts].reverse(), [...ixs].reverse(), settings);
      expect(b).toEqual(a);
      if (a.kind === 'join' && a.hopFrom) {
        expect(a.hopFrom.channel).not.toBe(ch);
        expect(ixs.find((i) => i.id === a.hopFrom!.interactionId)?.threadId).toBe(a.threadId);
      }
    }), { numRuns: 500 });
  });

  it('assembleThreads gives the same threads whatever order the contacts arrive in', () => {
    fc.assert(fc.property(contacts.chain((cs) => fc.tuple(fc.constant(cs), fc.shuffledSubarray(cs, { minLength: cs.length, maxLength: cs.length }))), ([cs, shuffled]) => {
      expect(assembleThreads(shuffled, settings)).toEqual(assembleThreads(cs, settings));
    }), { numRuns: 300 });
  });

  it('invariants: a contact starts a thread only after a resolved gap longer than the window; hops point back in the same thread', () => {
    fc.assert(fc.property(contacts, (cs) => {
      const out = assembleThreads(cs, settings);
      const sorted = [...cs].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
      sorted.forEach((c, i) => {
        const a = out.get(c.id)!;
        if (i === 0) {
          expect(a).toEqual({ threadId: `thread:${c.id}` });
          return;
        }
        const prev = sorted[i - 1]!;
        const startedNew = a.threadId === `thread:${c.id}`;
        // Contacts form one chain per customer: the new one either continues the previous contact's thread or starts one.
        expect(startedNew || a.threadId === out.get(prev.id)!.threadId).toBe(true);
        expect(startedNew).toBe(Boolean(prev.resolves) && c.at - prev.at > settings.threadWindowDays * DAY_MS);
        if (!startedNew) expect(a.hopFrom ? a.hopFrom.interactionId : undefined).toBe(prev.channel !== c.channel ? prev.id : undefined);
      });
    }), { numRuns: 500 });
  });

  it('email, then SMS, then a call in one day: one thread, two hops', () => {
    const cs: ReplayContact[] = [
      { id: 'A', channel: 'email', at: T0 },
      { id: 'B', channel: 'sms', at: T0 + 3_600_000 },
      { id: 'C', channel: 'call', at: T0 + 7_200_000 },
    ];
    const out = assembleThreads(cs, settings);
    expect(new Set([...out.values()].map((a) => a.threadId)).size).toBe(1);
    expect([...out.values()].filter((a) => a.hopFrom).map((a) => a.hopFrom!.channel)).toEqual(['email', 'sms']);
  });
});
