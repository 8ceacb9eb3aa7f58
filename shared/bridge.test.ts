import { describe, expect, it } from 'vitest';
import { parseBridgeArgs, parseBridgeResult } from './bridge';

describe('bridge contract', () => {
  it('accepts valid arguments and rejects invalid ones with a coded error', () => {
    expect(parseBridgeArgs('openExternal', ['https://kb.example.com/a'])).toEqual(['https://kb.example.com/a']);
    expect(() => parseBridgeArgs('openExternal', ['file:///etc/passwd'])).toThrow(expect.objectContaining({ code: 'BRIDGE_INVALID_ARGS' }));
    expect(() => parseBridgeArgs('getAppInfo', ['unexpected'])).toThrow(expect.objectContaining({ code: 'BRIDGE_INVALID_ARGS' }));
  });
  it('validates results too', () => {
    expect(() => parseBridgeResult('getPolicy', { policy: { autoUpdate: 'maybe' }, source: 'file', lockedKeys: [] })).toThrow(
      expect.objectContaining({ code: 'BRIDGE_INVALID_RESULT' }),
    );
  });
});
