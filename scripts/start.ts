import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findElectronBinary } from './lib/electron-binary';
import { spawnServer } from './lib/spawn-server';
import { sipServersFromEnv } from './lib/sip-servers';
import { startWebHost } from './web-host';

/**
 * `npm start`: the embedded server (PGlite + demo tenant) and the desktop app pointed at it.
 * Where no Electron binary can run, says so in one line and serves the web host instead.
 */
async function main() {
  const args = process.argv.slice(2);
  const server = await spawnServer(args.length ? args : ['--log-level', process.env.LOG_LEVEL ?? 'warn']);
  const shutdown = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());

  if (!existsSync('out/renderer/index.html') || process.env.THREADLINE_REBUILD === '1') {
    await run(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build']);
  }
  const electron = findElectronBinary();
  if (electron.ok) {
    const app = spawn(electron.path, ['.'], { stdio: 'inherit', env: { ...process.env, THREADLINE_SERVER_URL: server.url } });
    app.on('exit', () => void shutdown());
    console.log(`Threadline desktop app started against ${server.url}`);
    return;
  }
  const web = await startWebHost({ port: Number(process.env.WEB_PORT ?? 5174), serverUrl: server.url, sipServers: sipServersFromEnv() });
  console.log(`No Electron binary can run here (${electron.reason}); serving the web host instead.`);
  console.log(`Threadline web host: ${web.url}  (server ${server.url}; demo login maya@demo.threadline / threadline-demo)`);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { stdio: 'inherit' });
    p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

main().catch((err: unknown) => {
  console.error(`threadline: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
