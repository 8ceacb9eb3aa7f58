import { useEffect, useState } from 'react';

export type ServerStatus =
  | { state: 'connecting' }
  | { state: 'connected'; version: string; database: string; checkedAt: number }
  | { state: 'offline'; since: number; reason: string };

const POLL_MS = 5000;

/** Polls the server's health endpoint. Replaced by the sync stream's state once replication lands. */
export function useServerStatus(serverUrl: string | undefined): ServerStatus {
  const [status, setStatus] = useState<ServerStatus>({ state: 'connecting' });
  useEffect(() => {
    if (!serverUrl) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      try {
        const res = await fetch(new URL('/healthz', serverUrl), { cache: 'no-store', signal: AbortSignal.timeout(4000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const body = (await res.json()) as { version: string; database: string };
        if (!cancelled) setStatus({ state: 'connected', version: body.version, database: body.database, checkedAt: Date.now() });
      } catch (err) {
        if (!cancelled) {
          setStatus((prev) => ({
            state: 'offline',
            since: prev.state === 'offline' ? prev.since : Date.now(),
            reason: err instanceof Error ? err.message : String(err),
          }));
        }
      } finally {
        if (!cancelled) timer = setTimeout(check, POLL_MS);
      }
    };
    void check();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [serverUrl]);
  return status;
}
