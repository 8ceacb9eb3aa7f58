import { newId } from '../../shared/ids';
import type { Db } from '../db';

/**
 * Keeps the bytes of input we refused, with the reason, so a rejection never loses the message.
 * Capped: quarantine is evidence, not a second inbox, and an attacker must not fill the disk.
 */
export const QUARANTINE_MAX_BYTES = 1024 * 1024;

export async function quarantine(db: Db, q: { tenantId?: string | undefined; channel: string; code: string; reason: string; raw: Buffer | string }): Promise<void> {
  const buf = Buffer.isBuffer(q.raw) ? q.raw : Buffer.from(q.raw, 'utf8');
  await db.query(
    'insert into ingress_quarantine (id, tenant_id, channel, code, reason, raw) values ($1, $2, $3, $4, $5, $6)',
    [newId(), q.tenantId ?? null, q.channel, q.code, q.reason.slice(0, 1000).replaceAll('\u0000', '\uFFFD'), buf.subarray(0, QUARANTINE_MAX_BYTES)],
  );
}
