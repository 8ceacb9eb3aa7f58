import { buildApp } from './app';
import type { ServerConfig } from './config';
import { openDatabase, type Db } from './db';
import { startSmtpIngress, type SmtpIngress } from './ingress/email';
import { createLogger, type Logger } from './logger';
import { migrate } from './migrate';
import { seedDemoTenant } from './seed-demo';

export interface RunningServer {
  url: string;
  db: Db;
  /** Port of the inbound SMTP listener when SMTP_PORT is set. */
  smtpPort?: number;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const ran = await migrate(db);
  if (ran.length) log.info({ migrations: ran }, 'applied migrations');
  if (config.seedDemo) await seedDemoTenant(db, log);
  const app = await buildApp({ db, log, config, ingress: config });
  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, database: db.kind, dataDir: db.kind === 'pglite' ? config.dataDir : undefined }, 'threadline server listening');
  const smtp: SmtpIngress | undefined = config.smtpPort === undefined ? undefined : await startSmtpIngress({ db, log, port: config.smtpPort, host: config.host });
  return {
    url,
    db,
    ...(smtp ? { smtpPort: smtp.port } : {}),
    async close() {
      await smtp?.close();
      await app.close();
      await db.close();
    },
  };
}
