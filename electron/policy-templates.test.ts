import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Policy } from '../shared/bridge';
import { loadPolicy } from './policy';

describe('managed-install templates', () => {
  it('ADMX writes only values the policy loader knows', () => {
    const admx = readFileSync('build/policies/threadline.admx', 'utf8');
    const names = [...admx.matchAll(/valueName="([^"]+)"/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(0);
    const known = Object.keys(Policy.shape);
    for (const n of names) expect(known, `ADMX valueName ${n}`).toContain(n);
  });
  it('the Linux example file is a valid policy', () => {
    const text = readFileSync('build/policies/policies.example.json', 'utf8');
    const state = loadPolicy({ platform: 'linux', readFile: () => text });
    expect(state.error).toBeUndefined();
    expect(state.source).toBe('file');
  });
});
