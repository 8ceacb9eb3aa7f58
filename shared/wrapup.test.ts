import { describe, expect, it } from 'vitest';
import { WrapupBody, reasonList } from './wrapup';

describe('wrap-up format', () => {
  it('requires at least one reason and a known outcome', () => {
    expect(WrapupBody.safeParse({ reasonIds: [], reasons: [], reasonListVersion: 1, outcome: 'resolved', firstContactResolution: true }).success).toBe(false);
    expect(WrapupBody.safeParse({ reasonIds: ['r1'], reasons: ['Billing'], reasonListVersion: 1, outcome: 'shrug', firstContactResolution: true }).success).toBe(false);
    expect(WrapupBody.parse({ reasonIds: ['r1'], reasons: ['Billing'], reasonListVersion: 2, outcome: 'resolved', firstContactResolution: false })).toMatchObject({ outcome: 'resolved' });
  });
  it('offers active reasons in the business order with the list version', () => {
    const c = (id: string, name: string, order: number, over: Record<string, unknown> = {}) => ({ id, kind: 'reason', name, version: 1, active: true, data: { order }, ...over });
    const { options, version } = reasonList([
      c('b', 'Billing', 2), c('a', 'Outage', 1), c('x', 'Retired', 0, { active: false }), c('v', 'Tariff', 3, { version: 4 }),
      { id: 'q', kind: 'queue', name: 'Q', version: 9, active: true, data: {} },
    ]);
    expect(options.map((o) => o.name)).toEqual(['Outage', 'Billing', 'Tariff']);
    expect(version).toBe(4);
  });
});
