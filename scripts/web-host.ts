import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';

/**
 * The web host: serves the built renderer as a plain web page with the config its stand-in bridge
 * reads, so the whole UI runs in a browser where no Electron binary can.
 */
export async function startWebHost(opts: { port: number; host?: string; serverUrl: string; root?: string; sipServers?: string[] }) {
  const root = resolve(opts.root ?? 'out/renderer');
  if (!existsSync(resolve(root, 'index.html'))) {
    throw new Error(`renderer not built: ${root}/index.html missing (run npm run build)`);
  }
  const app = Fastify({ logger: false });
  // The softphone's SIP WebSocket servers (e.g. a production wss:) must pass the page's CSP too.
  const sipSources = (opts.sipServers ?? []).map((u) => ` ${new URL(u).origin}`).join('');
  app.addHook('onSend', async (_req, reply) => {
    // The same CSP the Electron window enforces, so browser tests see what desktop users get.
    const server = new URL(opts.serverUrl);
    const ws = `${server.protocol === 'https:' ? 'wss' : 'ws'}://${server.host}`;
    reply.header('Content-Security-Policy', `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self' ${server.origin} ${ws} ws://127.0.0.1:* ws://localhost:*${sipSources}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`);
  });
  app.get('/host-config.json', async () => ({ serverUrl: opts.serverUrl, sipServers: opts.sipServers ?? [] }));
  await app.register(fastifyStatic, { root, index: ['index.html'] });
  await app.listen({ port: opts.port, host: opts.host ?? '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return { url: `http://${opts.host ?? '127.0.0.1'}:${port}/`, close: () => app.close() };
}
