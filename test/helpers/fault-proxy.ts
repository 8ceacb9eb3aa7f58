import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

export type FaultMode =
  | { kind: 'pass' }
  /** Every chunk in either direction waits this long. */
  | { kind: 'delay'; ms: number }
  /** Open connections are reset and new ones are reset at once: a pulled cable. */
  | { kind: 'drop' }
  /** Connections are accepted and bytes swallowed, nothing answers: a dead route, found only by timeouts. */
  | { kind: 'blackhole' };

/**
 * A TCP proxy on loopback between clients and the server, used by chaos tests to cut, delay or
 * black-hole the link without touching either end, and to point clients at a restarted server
 * (which comes back on a new ephemeral port) without them noticing anything but a dropped link.
 */
export class FaultProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private mode: FaultMode = { kind: 'pass' };
  readonly stats = { connections: 0, resets: 0 };

  constructor(private targetPort: number, private readonly targetHost = '127.0.0.1') {}

  get url(): string {
    const a = this.server?.address() as AddressInfo | undefined;
    if (!a) throw new Error('proxy not started');
    return `http://127.0.0.1:${a.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((client) => this.onConnection(client));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
  }

  setTarget(port: number): void {
    this.targetPort = port;
  }

  setMode(mode: FaultMode): void {
    this.mode = mode;
    if (mode.kind === 'drop') this.resetAll();
  }

  /** Resets every open connection, as a crashed peer or a flapping link would. */
  resetAll(): void {
    for (const s of this.sockets) {
      s.resetAndDestroy();
      this.stats.resets++;
    }
    this.sockets.clear();
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
  }

  private onConnection(client: Socket): void {
    this.stats.connections++;
    this.track(client);
    const mode = this.mode;
    if (mode.kind === 'drop') {
      client.resetAndDestroy();
      return;
    }
    if (mode.kind === 'blackhole') {
      client.on('data', () => undefined);
      return;
    }
    const upstream = new Socket();
    this.track(upstream);
    upstream.connect(this.targetPort, this.targetHost);
    const pipe = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        const m = this.mode;
        if (m.kind === 'blackhole') return;
        if (m.kind === 'delay') {
          from.pause();
          setTimeout(() => {
            if (!to.destroyed) to.write(chunk);
            from.resume();
          }, m.ms);
        } else if (!to.destroyed) to.write(chunk);
      });
      from.on('end', () => to.end());
      from.on('close', () => to.destroy());
    };
    pipe(client, upstream);
    pipe(upstream, client);
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
