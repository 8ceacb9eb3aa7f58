import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, mergeDocs, sameDoc, stampEdit, type MergeableDoc } from './conflict-merge';

const FIELDS = ['name', 'tier', 'notes', 'keyAccount', '_deleted'] as const;
// Small value and time ranges on purpose: ties are where merge rules usually break.
const value = fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.constant(null), fc.record({ x: fc.integer({ min: 0, max: 2 }) }));
const time = fc.integer({ min: 0, max: 5 });

const doc: fc.Arbitrary<MergeableDoc> = fc
  .record({
    updatedAt: time,
    values: fc.dictionary(fc.constantFrom(...FIELDS), value),
    times: fc.dictionary(fc.constantFrom(...FIELDS), time),
  })
  .map(({ updatedAt, values, times }) => {
    // A field cannot have been edited after the document's own last write.
    const fieldTimes = Object.fromEntries(Object.entries(times).map(([k, t]) => [k, Math.min(t, updatedAt)]));
    return { id: 'doc-1', updatedAt, ...values, ...(Object.keys(fieldTimes).length ? { fieldTimes } : {}) };
  });

/** What a document means to the merge: each field's value and time, plus updatedAt. */
function meaning(d: MergeableDoc): string {
  const fields: Record<string, [unknown, number]> = {};
  for (const f of new Set([...Object.keys(d), ...Object.keys(d.fieldTimes ?? {})])) {
    if (f === 'id' || f === 'updatedAt' || f === 'fieldTimes') continue;
    const t = d.fieldTimes?.[f] ?? d.updatedAt;
    // "Absent since updatedAt" is what a missing field means anyway.
    if (d[f] === undefined && t === d.updatedAt) continue;
    fields[f] = [canonicalJson(d[f]), t];
  }
  return canonicalJson({ u: d.updatedAt, fields });
}

describe('mergeDocs', () => {
  it('is commutative', () => {
    fc.assert(fc.property(doc, doc, (a, b) => {
      expect(mergeDocs(a, b)).toEqual(mergeDocs(b, a));
    }), { numRuns: 2000 });
  });

  it('is associative', () => {
    fc.assert(fc.property(doc, doc, doc, (a, b, c) => {
      expect(mergeDocs(mergeDocs(a, b), c)).toEqual(mergeDocs(a, mergeDocs(b, c)));
    }), { numRuns: 2000 });
  });

  it('is idempotent', () => {
    fc.assert(fc.property(doc, (a) => {
      expect(meaning(mergeDocs(a, a))).toBe(meaning(a));
    }), { numRuns: 1000 });
    fc.assert(fc.property(doc, doc, (a, b) => {
      const m = mergeDocs(a, b);
      expect(mergeDocs(m, m)).toEqual(m);
      expect(mergeDocs(m, b)).toEqual(m);
    }), { numRuns: 1000 });
  });

  it('keeps concurrent edits to different fields from both sides', () => {
    const base = { id: 'c', updatedAt: 100, name: 'Ann', tier: 'standard', notes: '' };
    const maya = stampEdit(base, { ...base, name: 'Ann Lee' }, 200);
    const jonas = stampEdit(base, { ...base, tier: 'gold' }, 150);
    const merged = mergeDocs(maya, jonas);
    expect(merged).toMatchObject({ name: 'Ann Lee', tier: 'gold', notes: '', updatedAt: 200 });
    expect(mergeDocs(jonas, maya)).toEqual(merged);
  });

  it('lets the newer edit of the same field win, and a newer removal beat an older value', () => {
    const base: MergeableDoc = { id: 'c', updatedAt: 100, name: 'Ann', notes: 'old' };
    const early = stampEdit(base, { ...base, name: 'Early' }, 110);
    const late = stampEdit(base, { ...base, name: 'Late' }, 120);
    expect(mergeDocs(early, late).name).toBe('Late');
    const { notes: _n, ...withoutNotes } = base;
    const removed = stampEdit(base, { ...withoutNotes, updatedAt: base.updatedAt }, 130);
    const m = mergeDocs<MergeableDoc>(removed, early);
    expect('notes' in m).toBe(false);
    expect(m.name).toBe('Early');
  });

  it('refuses to merge different documents', () => {
    expect(() => mergeDocs({ id: 'a', updatedAt: 1 }, { id: 'b', updatedAt: 1 })).toThrow(/different documents/);
  });
});

describe('canonicalJson', () => {
  it('ignores key order and undefined members', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
      const reversed = Object.fromEntries(Object.entries(o).reverse());
      expect(canonicalJson(reversed)).toBe(canonicalJson(o));
    }));
    expect(sameDoc({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameDoc({ a: 1 }, { a: 2 })).toBe(false);
  });
});
