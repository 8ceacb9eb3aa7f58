/**
 * SIP WebSocket servers for the softphone, in failover order, from THREADLINE_SIP_SERVERS
 * (comma-separated ws:// or wss:// URLs) — the same variable the desktop app's main process reads.
 */
export function sipServersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.THREADLINE_SIP_SERVERS ?? '').split(',').map((u) => u.trim()).filter((u) => /^wss?:\/\//.test(u));
}
