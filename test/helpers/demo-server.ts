import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { startServer, type RunningServer } from '../../server/server';

/**
 * A real in-process server (embedded PGlite in a temp dir, demo tenant, free port) for the test
 * file that calls this: started before its tests, closed and deleted after them.
 */
export function startDemoServerForFile(prefix: string): { readonly server: RunningServer } {
  let server: RunningServer | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `tl-${prefix}-`));
    server = await startServer(loadConfig(['--port', '0', '--data-dir', dir, '--log-level', 'silent'], {}), createLogger('silent'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get server() {
      if (!server) throw new Error('demo server not started yet (use it inside a test or hook)');
      return server;
    },
  };
}
