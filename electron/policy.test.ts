import { describe, expect, it } from 'vitest';
import { loadPolicy } from './policy';

const file = (text: string) => () => text;

describe('loadPolicy', () => {
  it('reads the Linux policy file and locks the keys it sets', () => {
    const s = loadPolicy({ platform: 'linux', readFile: file('{"serverUrl":"https://sync.acme.example","autoUpdate":"off"}') });
    expect(s).toEqual({ policy: { serverUrl: 'https://sync.acme.example', autoUpdate: 'off' }, source: 'file', lockedKeys: ['serverUrl', 'autoUpdate'] });
  });
  it('treats a missing file as no policy', () => {
    const s = loadPolicy({ platform: 'linux', readFile: () => { throw Object.assign(new Error('nope'), { code: 'ENOENT' }); } });
    expect(s).toEqual({ policy: {}, source: 'none', lockedKeys: [] });
  });
  it('rejects a policy with unknown keys or wrong types as a whole, with a reason', () => {
    for (const text of ['{"autoUpdate":"sometimes"}', '{"serverURL":"https://x.example"}', '{not json']) {
      const s = loadPolicy({ platform: 'linux', readFile: file(text) });
      expect(s.policy).toEqual({});
      expect(s.error).toMatch(/policy (rejected|unreadable)/);
    }
  });
  it('reads the Windows registry through the supplied reader', () => {
    const s = loadPolicy({ platform: 'win32', readRegistry: () => ({ maxOfflineDays: 3 }) });
    expect(s).toEqual({ policy: { maxOfflineDays: 3 }, source: 'registry', lockedKeys: ['maxOfflineDays'] });
  });
});
