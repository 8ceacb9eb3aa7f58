import { describe, expect, it, vi } from 'vitest';
import { createIpcDispatcher, type BridgeImplementation } from './ipc-handlers';

function impl(overrides: Partial<BridgeImplementation> = {}): BridgeImplementation {
  return {
    getAppInfo: () => ({ name: 'Threadline', version: '1.0.0', platform: 'linux', host: 'electron', serverUrl: 'http://127.0.0.1:4010' }),
    getPolicy: () => ({ policy: {}, source: 'none', lockedKeys: [] }),
    openExternal: vi.fn(async () => ({ opened: true })),
    notify: () => ({ shown: true }),
    ...overrides,
  };
}

describe('IPC dispatcher', () => {
  it('returns validated results for valid calls', async () => {
    const dispatch = createIpcDispatcher(impl());
    expect(await dispatch('getAppInfo', [])).toMatchObject({ ok: true, value: { host: 'electron' } });
  });

  it('rejects invalid arguments with a validation error and never calls the handler', async () => {
    const openExternal = vi.fn(async () => ({ opened: true }));
    const dispatch = createIpcDispatcher(impl({ openExternal }));
    for (const bad of [[], ['file:///etc/passwd'], ['javascript:alert(1)'], [42], ['https://ok.example.com', 'extra'], 'not-an-array', null]) {
      const out = await dispatch('openExternal', bad);
      expect(out.ok, JSON.stringify(bad)).toBe(false);
      expect(out.ok ? '' : out.error.code).toBe('BRIDGE_INVALID_ARGS');
    }
    expect(openExternal).not.toHaveBeenCalled();
    expect(await dispatch('notify', [{ title: '', body: 'x' }])).toMatchObject({ ok: false, error: { code: 'BRIDGE_INVALID_ARGS' } });
  });

  it('rejects unknown channels', async () => {
    const out = await createIpcDispatcher(impl())('readFile', ['/etc/passwd']);
    expect(out).toMatchObject({ ok: false, error: { code: 'BRIDGE_UNKNOWN_CHANNEL' } });
  });

  it('refuses to return a result the contract does not promise', async () => {
    const dispatch = createIpcDispatcher(impl({ getAppInfo: () => ({ name: 'x' }) as never }));
    expect(await dispatch('getAppInfo', [])).toMatchObject({ ok: false, error: { code: 'BRIDGE_INVALID_RESULT' } });
  });

  it('hides internal error details from the renderer', async () => {
    const dispatch = createIpcDispatcher(impl({ notify: () => { throw new Error('secret path /home/x'); } }));
    expect(await dispatch('notify', [{ title: 't', body: 'b' }])).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error in main process' } });
  });
});
