/**
 * The benchmark's peer: CouchDB's replication protocol served by express-pouchdb (express 4) over an
 * in-memory PouchDB, on loopback. Runs as its own process, like our server, and prints its URL.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);
const express = require('express') as () => { use(path: string, h: unknown): void; listen(port: number, host: string, cb: () => void): { address(): AddressInfo | string | null } };
const PouchDB = (require('pouchdb-core') as { plugin(p: unknown): unknown }).plugin(require('pouchdb-adapter-memory')) as { defaults(o: object): unknown };
const expressPouchDB = require('express-pouchdb') as (db: unknown, opts: object) => unknown;

const MemPouch = PouchDB.defaults({ adapter: 'memory' });
const app = express();
app.use('/', expressPouchDB(MemPouch, { mode: 'minimumForPouchDB', inMemoryConfig: true, logPath: '/dev/null' }));
const server = app.listen(0, '127.0.0.1', () => {
  const addr = server.address() as AddressInfo;
  process.stdout.write(`COUCH_PEER_URL=http://127.0.0.1:${addr.port}/\n`);
});
process.on('SIGTERM', () => process.exit(0));
