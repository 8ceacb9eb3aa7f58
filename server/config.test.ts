import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('has embedded defaults', () => {
    const c = loadConfig([], {});
    expect(c).toMatchObject({ port: 4010, host: '127.0.0.1', dataDir: '.data/server', seedDemo: true });
    expect(c.databaseUrl).toBeUndefined();
  });
  it('lets flags beat the environment', () => {
    const c = loadConfig(['--port', '5000', '--data-dir=/var/lib/tl'], { PORT: '4000', DATABASE_URL: 'postgres://u@h/db' });
    expect(c).toMatchObject({ port: 5000, dataDir: '/var/lib/tl', databaseUrl: 'postgres://u@h/db' });
  });
  it('fails with a clear, coded message on bad input', () => {
    expect(() => loadConfig(['--port', 'eighty'], {})).toThrow(/port/);
    expect(() => loadConfig([], { DATABASE_URL: 'mysql://x' })).toThrow(/databaseUrl: must start with postgres/);
    expect(() => loadConfig(['--bogus', '1'], {})).toThrow(/unknown option --bogus/);
    expect(() => loadConfig(['--port'], {})).toThrow(/needs a value/);
    try {
      loadConfig(['--port', '-1'], {});
    } catch (e) {
      expect((e as { code: string }).code).toBe('CONFIG_INVALID');
    }
  });
});
