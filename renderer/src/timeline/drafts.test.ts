import { describe, expect, it } from 'vitest';
import { clearDraft, draftKey, loadDraft, saveDraft, type DraftStore } from './drafts';

function memory(): DraftStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe('reply drafts', () => {
  it('are kept per thread and channel until cleared', () => {
    const s = memory();
    expect(saveDraft(s, 't1', 'email', 'Dear Alice')).toBe(true);
    saveDraft(s, 't1', 'sms', 'Hi Alice');
    expect(loadDraft(s, 't1', 'email')).toBe('Dear Alice');
    expect(loadDraft(s, 't1', 'sms')).toBe('Hi Alice');
    expect(loadDraft(s, 't2', 'email')).toBe('');
    clearDraft(s, 't1', 'email');
    expect(s.map.has(draftKey('t1', 'email'))).toBe(false);
    saveDraft(s, 't1', 'sms', '');
    expect(s.map.size).toBe(0);
  });
  it('report a refusing store instead of throwing', () => {
    const broken: DraftStore = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); }, removeItem: () => undefined };
    expect(saveDraft(broken, 't', 'email', 'x')).toBe(false);
    expect(loadDraft(broken, 't', 'email')).toBe('');
  });
});
