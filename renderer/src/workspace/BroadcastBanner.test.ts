import { describe, expect, it } from 'vitest';
import { activeBroadcasts } from './BroadcastBanner';

const b = (id: string, over: Record<string, unknown>) => ({
  id, tenantId: 't', updatedAt: 0, severity: 'info' as const, title: id, body: '', startsAt: 0, ...over,
});

describe('activeBroadcasts', () => {
  it('shows current notices for my queues, most severe first', () => {
    const now = 1000;
    const list = activeBroadcasts([
      b('future', { startsAt: 2000 }),
      b('ended', { endsAt: 999 }),
      b('other-queue', { queueIds: ['q9'] }),
      b('mine', { queueIds: ['q1'] }),
      b('everyone-critical', { severity: 'critical' }),
    ], now, ['q1']);
    expect(list.map((x) => x.id)).toEqual(['everyone-critical', 'mine']);
  });
});
