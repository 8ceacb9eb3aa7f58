import { sipServersFromEnv } from './lib/sip-servers';
import { startWebHost } from './web-host';

/** `npm run web`: the web host alone, pointed at a running server (SERVER_URL, default the embedded one). */
const serverUrl = process.env.SERVER_URL ?? 'http://127.0.0.1:4010';
startWebHost({ port: Number(process.env.WEB_PORT ?? 5174), serverUrl, sipServers: sipServersFromEnv() })
  .then((w) => console.log(`Threadline web host: ${w.url} (server ${serverUrl})`))
  .catch((err: unknown) => {
    console.error(`threadline web host: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
