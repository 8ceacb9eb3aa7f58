import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from '../sip/kamailio';

export interface SippResult {
  code: number | null;
  output: string;
}

/**
 * Runs one sipp call (Debian's sip-tester) from `caller` to `extension` through the proxy at
 * 127.0.0.1:`proxyPort` (UDP). Resolves when sipp exits; exit code 0 means every step of the
 * scenario happened (INVITE answered, ACK, BYE answered).
 */
export async function sippCall(opts: {
  proxyPort: number; extension: string; caller: string; callerName: string; timeoutSec?: number;
  /** Several callers, one call each, in order (overrides caller). */
  callers?: string[];
  scenario?: 'uac-webrtc' | 'uac-ring-cancel';
}): Promise<SippResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-sipp-'));
  const inf = join(dir, 'callers.csv');
  const callers = opts.callers ?? [opts.caller];
  writeFileSync(inf, `SEQUENTIAL\n${callers.map((c) => `${c};${opts.callerName}`).join('\n')}\n`);
  const localPort = await freeUdpPort();
  const mediaPort = await freeUdpPort();
  const args = [
    `127.0.0.1:${opts.proxyPort}`, '-sf', join(import.meta.dirname, `${opts.scenario ?? 'uac-webrtc'}.xml`), '-inf', inf,
    '-s', opts.extension, '-i', '127.0.0.1', '-p', String(localPort), '-mp', String(mediaPort),
    '-m', String(callers.length), '-l', '1', '-r', '2', '-timeout', `${opts.timeoutSec ?? 90}s`, '-timeout_error', '-nostdin', '-bg',
    '-trace_err', '-error_file', join(dir, 'errors.log'),
  ];
  // -bg forks; run in the foreground instead so we can wait for the result.
  const fg = args.filter((a) => a !== '-bg');
  return new Promise((resolve, reject) => {
    const p = spawn(process.env.SIPP_PATH ?? '/usr/bin/sipp', fg, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    let output = '';
    p.stdout.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-20_000)));
    p.stderr.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-20_000)));
    p.once('error', reject);
    p.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}
