import { buildApp } from './app';
import type { ServerConfig } from './config';
import { openDatabase, type Db } from './db';
import { createLogger, type Logger } from './logger';
import { migrate } from './migrate';
import { seedDemoTenant } from './seed-demo';

export interface RunningServer {
  url: string;
  db: Db;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const ran = await migrate(db);
  if (ran.length) log.info({ migrations: ran }, 'applied migrations');
  if (config.seedDemo) await seedDemoTenant(db, log);
  const app = await buildApp({ db, log, config });
  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, database: db.kind, dataDir: db.kind === 'pglite' ? config.dataDir : undefined }, 'threadline server listening');
  return {
    url,
    db,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
