import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts a real Kamailio (registrar + WebSocket transport) on free loopback ports for a test run,
 * and can kill and restart it on the same ports so tests can check re-registration.
 */
export interface KamailioHandle {
  wsUrl: string;
  wsPort: number;
  udpPort: number;
  /** SIP domain the test agents register under. */
  domain: string;
  /** SIGKILL (a crash, not a clean shutdown), then wait for the process to be gone. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Everything Kamailio logged (stderr), for failure messages. */
  log(): string;
}

const KAMAILIO = process.env.KAMAILIO_PATH ?? '/usr/sbin/kamailio';

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port }, () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function startKamailio(opts: { domain?: string } = {}): Promise<KamailioHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-kamailio-'));
  const wsPort = await freeTcpPort();
  const udpPort = await freeUdpPort();
  const template = readFileSync(join(import.meta.dirname, 'kamailio.cfg.tpl'), 'utf8');
  const cfg = join(dir, 'kamailio.cfg');
  writeFileSync(cfg, template.replaceAll('__WS_PORT__', String(wsPort)).replaceAll('__UDP_PORT__', String(udpPort)));
  const pidFile = join(dir, 'kamailio.pid');
  let child: ChildProcess | undefined;
  let logText = '';

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    const proc = spawn(KAMAILIO, ['-f', cfg, '-DD', '-E', '-Y', dir, '-P', pidFile], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = proc;
    proc.stderr?.on('data', (b: Buffer) => {
      logText = (logText + b.toString()).slice(-200_000);
    });
    proc.stdout?.on('data', (b: Buffer) => {
      logText = (logText + b.toString()).slice(-200_000);
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`kamailio exited with ${proc.exitCode}:\n${logText.slice(-4000)}`);
      if (await tcpOpen(wsPort)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    throw new Error(`kamailio did not listen on ${wsPort} within 10 s:\n${logText.slice(-4000)}`);
  };

  const waitExit = async (proc: ChildProcess) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((r) => proc.once('exit', () => r()));
  };

  const end = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc) return;
    // Kamailio's TCP/WS worker is a child process that outlives a SIGKILLed main process and keeps
    // the browsers' sockets open, so a crash is simulated by killing the whole process group.
    try {
      if (proc.pid) process.kill(-proc.pid, signal);
    } catch {
      proc.kill(signal);
    }
    await waitExit(proc);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await tcpOpen(wsPort))) await new Promise((r) => setTimeout(r, 50));
  };

  await start();
  return {
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    wsPort,
    udpPort,
    domain: opts.domain ?? 'threadline.test',
    kill: () => end('SIGKILL'),
    start,
    stop: async () => {
      await end('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => logText,
  };
}
