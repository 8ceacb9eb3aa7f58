import { normalizePhone } from '../../../shared/identity';

/**
 * Turns whatever the agent typed or clicked (dial pad digits, an extension, a customer's phone in
 * any national spelling, a tel: or sip: link) into one SIP request URI. Phone numbers are
 * normalized to E.164 with the tenant's region so the same customer is always dialled the same way
 * and the call lands on the right identity in the replica.
 */
export type DialTarget =
  | { ok: true; uri: string; display: string; kind: 'extension' | 'phone' | 'sip'; e164?: string }
  | { ok: false; code: 'DIAL_EMPTY' | 'DIAL_INVALID'; message: string };

/** Internal extensions are short digit strings; anything longer is a phone number. */
const EXTENSION = /^[0-9]{2,6}$/;
const SIP_USER = /^[A-Za-z0-9._~+\-!$&'()*;=%]{1,64}$/;
const HOST = /^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$/;

export function parseDialTarget(raw: string, opts: { region: string; domain: string }): DialTarget {
  const input = raw.trim();
  if (!input) return { ok: false, code: 'DIAL_EMPTY', message: 'Enter a number, extension or SIP address.' };
  if (input.length > 300) return { ok: false, code: 'DIAL_INVALID', message: 'That address is too long to dial.' };

  const sip = /^sips?:(.+)$/i.exec(input);
  if (sip) {
    const rest = sip[1]!.split(';')[0]!.split('?')[0]!;
    const [user, host] = rest.includes('@') ? rest.split('@', 2) as [string, string] : [rest, opts.domain];
    if (!SIP_USER.test(user) || !HOST.test(host)) return { ok: false, code: 'DIAL_INVALID', message: `Not a SIP address: ${input.slice(0, 60)}` };
    // A sip: link to a number on our own domain is still a phone call: normalize it like one.
    if (host === opts.domain && !EXTENSION.test(user) && /^[+0-9]/.test(user)) return phone(user, opts);
    return { ok: true, uri: `sip:${user}@${host}`, display: host === opts.domain ? user : `${user}@${host}`, kind: EXTENSION.test(user) ? 'extension' : 'sip' };
  }

  const tel = /^tel:([^;]+)/i.exec(input);
  if (tel) {
    // A tel: link to a short number is an internal extension (RFC 3966 local number).
    const local = tel[1]!.replace(/[\s().\-/]/g, '');
    if (EXTENSION.test(local)) return { ok: true, uri: `sip:${local}@${opts.domain}`, display: local, kind: 'extension' };
    return phone(tel[1]!, opts);
  }

  const compact = input.replace(/[\s().\-/]/g, '');
  if (EXTENSION.test(compact)) return { ok: true, uri: `sip:${compact}@${opts.domain}`, display: compact, kind: 'extension' };
  return phone(input, opts);
}

function phone(raw: string, opts: { region: string; domain: string }): DialTarget {
  const n = normalizePhone(raw, opts.region);
  if (!n.ok) return { ok: false, code: 'DIAL_INVALID', message: n.message };
  return { ok: true, uri: `sip:${n.value}@${opts.domain};user=phone`, display: n.value, kind: 'phone', e164: n.value };
}

/** The caller's number as the replica stores it, from a SIP user part; undefined for names/extensions. */
export function callerE164(user: string | undefined, region: string): string | undefined {
  if (!user || EXTENSION.test(user)) return undefined;
  const n = normalizePhone(user, region);
  return n.ok ? n.value : undefined;
}

export const DTMF_TONES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;
export function isDtmfTone(s: string): boolean {
  return /^[0-9*#A-D]$/.test(s);
}
