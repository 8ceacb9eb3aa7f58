import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { AppError, ErrorCode } from '../../shared/errors';
import { normalizeEmail } from '../../shared/identity';
import { newId } from '../../shared/ids';
import type { Db, Queryable } from '../db';
import type { Logger } from '../logger';
import { withTenant } from '../tenant-tx';
import { ingestContact, storable, type IngestResult } from './service';
import { quarantine } from './quarantine';

export interface EmailLimits {
  /** Whole message, enforced during DATA (RFC 1870 SIZE): larger mail is refused, the sender keeps it. */
  maxMessageBytes: number;
  maxAttachmentBytes: number;
  maxAttachments: number;
}

export const DEFAULT_EMAIL_LIMITS: EmailLimits = { maxMessageBytes: 25 * 1024 * 1024, maxAttachmentBytes: 10 * 1024 * 1024, maxAttachments: 20 };

export interface EmailIngestResult extends IngestResult {
  messageId: string;
  duplicate: boolean;
}

function firstAddress(a: AddressObject | AddressObject[] | undefined): { address: string; name: string } | undefined {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  for (const obj of list) for (const v of obj.value) if (v.address) return { address: v.address, name: v.name };
  return undefined;
}

function allAddresses(a: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((o) => o.value.map((v) => v.address).filter((x): x is string => Boolean(x))).slice(0, 50);
}

/** Message-IDs are compared in their canonical `<local@domain>` form, case of the domain aside. */
export function canonicalMessageId(raw: string): string | undefined {
  const m = /<?([^<>\s]{1,400}@[^<>\s]{1,255})>?/.exec(raw.replaceAll('\u0000', '').trim());
  return m ? `<${m[1]}>` : undefined;
}

function referencedIds(mail: ParsedMail): string[] {
  const refs = typeof mail.references === 'string' ? [mail.references] : (mail.references ?? []);
  const ids = [mail.inReplyTo ?? '', ...[...refs].reverse()].flatMap((r) => r.split(/\s+/)).map(canonicalMessageId);
  return [...new Set(ids.filter((x): x is string => Boolean(x)))].slice(0, 50);
}

/**
 * One received email into the tenant's history. Threading: a reply (In-Reply-To / References naming
 * a Message-ID we know) continues that interaction; a redelivered Message-ID is accepted and ignored.
 */
export async function ingestEmail(db: Db, tenantId: string, raw: Buffer, limits: EmailLimits = DEFAULT_EMAIL_LIMITS, now = Date.now()): Promise<EmailIngestResult> {
  if (raw.length > limits.maxMessageBytes) throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `message is ${raw.length} bytes; the limit is ${limits.maxMessageBytes}`);
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, maxHtmlLengthToParse: 2_000_000 });
  } catch (err) {
    throw new AppError(ErrorCode.INGRESS_MALFORMED_MESSAGE, `unparseable MIME: ${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'}`);
  }
  const from = firstAddress(mail.from);
  if (!from) throw new AppError(ErrorCode.INGRESS_MALFORMED_MESSAGE, 'message has no From address');
  const fromNorm = normalizeEmail(from.address);
  if (!fromNorm.ok) throw new AppError(ErrorCode.INGRESS_IDENTITY_INVALID, `From: ${fromNorm.message}`);
  const atts = mail.attachments ?? [];
  if (atts.length > limits.maxAttachments) throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `message has ${atts.length} attachments; the limit is ${limits.maxAttachments}`);
  for (const a of atts) {
    if (a.size > limits.maxAttachmentBytes) throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `attachment ${JSON.stringify(a.filename ?? 'unnamed')} is ${a.size} bytes; the limit is ${limits.maxAttachmentBytes}`);
  }
  const messageId = (mail.messageId && canonicalMessageId(mail.messageId)) || `<${newId(now)}@threadline.invalid>`;
  const refs = referencedIds(mail);
  const at = mail.date && !Number.isNaN(mail.date.getTime()) && Math.abs(mail.date.getTime() - now) < 7 * 86_400_000 ? Math.min(mail.date.getTime(), now) : now;

  return withTenant(db, tenantId, async (tx) => {
    const [dup] = await tx.query<{ interaction_id: string; thread_id: string }>(
      'select interaction_id, thread_id from email_messages where tenant_id = $1 and message_id = $2', [tenantId, messageId]);
    if (dup) {
      const [ix] = await tx.query<{ customer_id: string }>(`select data->>'customerId' as customer_id from docs where tenant_id = $1 and collection = 'interactions' and id = $2`, [tenantId, dup.interaction_id]);
      return { messageId, duplicate: true, customerId: ix?.customer_id ?? '', threadId: dup.thread_id, interactionId: dup.interaction_id, customerCreated: false, threadCreated: false, interactionCreated: false };
    }
    let continueInteractionId: string | undefined;
    if (refs.length) {
      const rows = await tx.query<{ message_id: string; interaction_id: string }>(
        'select message_id, interaction_id from email_messages where tenant_id = $1 and message_id = any($2::text[])', [tenantId, refs]);
      // The nearest ancestor wins: In-Reply-To first, then References from the newest back.
      continueInteractionId = refs.map((r) => rows.find((row) => row.message_id === r)).find(Boolean)?.interaction_id;
    }
    const eventId = newId(now);
    const attachmentMeta = atts.map((a) => ({ id: newId(now), filename: a.filename, contentType: a.contentType || 'application/octet-stream', size: a.size }));
    const result = await ingestContact(tx, {
      tenantId, channel: 'email', identity: { kind: 'email', value: fromNorm.value }, displayName: from.name || undefined, at,
      continueInteractionId, externalRef: messageId, subject: mail.subject?.slice(0, 500), eventId,
      message: {
        from: 'customer', text: mail.text ?? '', html: typeof mail.html === 'string' ? mail.html : undefined, subject: mail.subject?.slice(0, 500),
        meta: { messageId, from: fromNorm.value, to: allAddresses(mail.to), cc: allAddresses(mail.cc), inReplyTo: mail.inReplyTo ?? null },
        attachments: attachmentMeta,
      },
    }, now);
    await storeAttachments(tx, tenantId, result.interactionId, eventId, atts.map((a, i) => ({ ...attachmentMeta[i]!, content: a.content })));
    await tx.query(
      `insert into email_messages (tenant_id, message_id, interaction_id, thread_id, direction) values ($1, $2, $3, $4, 'inbound')`,
      [tenantId, messageId, result.interactionId, result.threadId]);
    return { ...result, messageId, duplicate: false };
  });
}

async function storeAttachments(tx: Queryable, tenantId: string, interactionId: string, eventId: string, atts: Array<{ id: string; filename?: string | undefined; contentType: string; size: number; content: Buffer }>): Promise<void> {
  for (const a of atts) {
    await tx.query(
      `insert into ingress_attachments (id, tenant_id, interaction_id, event_id, filename, content_type, size, sha256, content)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [a.id, tenantId, interactionId, eventId, a.filename ? storable(a.filename.slice(0, 255)) : null, storable(a.contentType.slice(0, 255)), a.content.length, createHash('sha256').update(a.content).digest('hex'), a.content],
    );
  }
}

/** Recipient → tenant, read with the server's own connection: the tenant is what we are finding out. */
export async function tenantForAddress(db: Db, channel: 'email' | 'sms' | 'chat' | 'webform', address: string): Promise<{ tenantId: string; secret: string | null } | undefined> {
  const [row] = await db.query<{ tenant_id: string; secret: string | null }>(
    'select tenant_id, secret from ingress_addresses where channel = $1 and address = $2', [channel, address]);
  return row ? { tenantId: row.tenant_id, secret: row.secret } : undefined;
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

export interface SmtpIngress {
  port: number;
  close(): Promise<void>;
}

/**
 * The inbound SMTP listener. Recipients are checked at RCPT (unknown mailbox: 550, nothing accepted);
 * size is enforced while the data streams in; a message we cannot take is refused with a 5xx and its
 * bytes are quarantined, so the sender's server bounces it to the sender and nothing vanishes silently.
 */
export async function startSmtpIngress(opts: { db: Db; log: Logger; port: number; host: string; limits?: EmailLimits }): Promise<SmtpIngress> {
  const limits = opts.limits ?? DEFAULT_EMAIL_LIMITS;
  const tenants = new Map<string, Set<string>>();
  const server = new SMTPServer({
    name: 'threadline',
    banner: 'Threadline ingress',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: limits.maxMessageBytes,
    logger: false,
    onConnect(session: SMTPServerSession, cb: (err?: Error | null) => void) {
      tenants.set(session.id, new Set());
      cb();
    },
    onClose(session: SMTPServerSession) {
      tenants.delete(session.id);
    },
    onRcptTo(address, session, cb) {
      const norm = normalizeEmail(address.address);
      if (!norm.ok) return cb(smtpError('bad recipient address', 553));
      tenantForAddress(opts.db, 'email', norm.value).then((hit) => {
        if (!hit) return cb(smtpError(`no mailbox ${norm.value} here`, 550));
        tenants.get(session.id)?.add(hit.tenantId);
        cb();
      }, (err: unknown) => {
        opts.log.error({ err }, 'smtp recipient lookup failed');
        cb(smtpError('temporary failure, try again later', 451));
      });
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= limits.maxMessageBytes) chunks.push(c);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) return cb(smtpError(`message exceeds ${limits.maxMessageBytes} bytes`, 552));
        const raw = Buffer.concat(chunks);
        const targets = [...(tenants.get(session.id) ?? [])];
        void (async () => {
          try {
            for (const tenantId of targets) {
              const r = await ingestEmail(opts.db, tenantId, raw, limits);
              opts.log.info({ tenantId, interactionId: r.interactionId, threadId: r.threadId, duplicate: r.duplicate }, 'email received');
            }
            cb();
          } catch (err) {
            const code = err instanceof AppError ? err.code : ErrorCode.INTERNAL;
            const message = err instanceof AppError ? err.message : 'internal error';
            await quarantine(opts.db, { tenantId: targets[0], channel: 'email', code, reason: message, raw }).catch((qerr: unknown) => opts.log.error({ err: qerr }, 'quarantine failed'));
            if (code === ErrorCode.INTERNAL) {
              opts.log.error({ err }, 'email ingest failed');
              return cb(smtpError('temporary failure, try again later', 451));
            }
            opts.log.warn({ code, reason: message }, 'email refused');
            cb(smtpError(`${code}: ${message}`, code === ErrorCode.PAYLOAD_TOO_LARGE ? 552 : 554));
          }
        })();
      });
    },
  });
  server.on('error', (err) => opts.log.error({ err }, 'smtp server error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  opts.log.info({ port }, 'smtp ingress listening');
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
