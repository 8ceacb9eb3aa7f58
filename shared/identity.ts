import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Channel, IdentityKind } from './model/documents';

/**
 * Identity normalization. Every channel reports the same person in its own spelling
 * ("07700 900123", "+44 7700 900123", "tel:+447700900123"); resolution only works if all of them
 * collapse to one canonical value before lookup. The same functions run on the server (ingress)
 * and in the renderer (search, manual linking), so both sides agree on what "the same" means.
 */

export type IdentityErrorCode = 'IDENTITY_INVALID_PHONE' | 'IDENTITY_INVALID_EMAIL' | 'IDENTITY_INVALID_HANDLE';

export type Normalized =
  | { ok: true; kind: IdentityKind; value: string }
  | { ok: false; code: IdentityErrorCode; message: string };

const MAX_RAW = 512;

function fail(code: IdentityErrorCode, message: string): Normalized {
  return { ok: false, code, message };
}

/** Strips characters that never belong to an identity yet creep in through copy-paste and bad clients. */
function clean(raw: string): string {
  // Zero-width and bidi controls make two identical-looking strings differ.
  return raw.normalize('NFKC').replace(/[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g, '').trim();
}

export function isCountryCode(region: string): region is CountryCode {
  return /^[A-Z]{2}$/.test(region);
}

/**
 * E.164 with the tenant's default region for national numbers. We accept numbers libphonenumber
 * calls *possible* (right length for the country) rather than *valid*: the bundled metadata lags
 * numbering plans, and rejecting a real caller's new number range loses a contact.
 */
export function normalizePhone(raw: string, defaultRegion: string = 'US'): Normalized {
  if (raw.length > MAX_RAW) return fail('IDENTITY_INVALID_PHONE', 'phone number too long');
  let s = clean(raw).replace(/^tel:/i, '');
  // "00" is the international prefix in most of the world; libphonenumber only knows "+".
  if (/^00[1-9]/.test(s)) s = `+${s.slice(2)}`;
  if (!/^\+?[0-9 ().\-/]{3,40}$/.test(s)) return fail('IDENTITY_INVALID_PHONE', `not a phone number: ${JSON.stringify(raw.slice(0, 40))}`);
  const region = isCountryCode(defaultRegion) ? defaultRegion : 'US';
  const parsed = parsePhoneNumberFromString(s, region);
  if (!parsed || !parsed.isPossible()) return fail('IDENTITY_INVALID_PHONE', `not a possible phone number for region ${region}: ${JSON.stringify(raw.slice(0, 40))}`);
  return { ok: true, kind: 'phone', value: parsed.number };
}

/**
 * Lower-cased addr-spec. Display names and angle brackets are dropped. We do not remove dots or
 * "+tags": that is one provider's convention, and merging two real people is worse than asking an
 * agent to link two addresses of one.
 */
export function normalizeEmail(raw: string): Normalized {
  if (raw.length > MAX_RAW) return fail('IDENTITY_INVALID_EMAIL', 'email address too long');
  let s = clean(raw);
  const angle = /<([^<>]*)>\s*$/.exec(s);
  if (angle) s = angle[1]!.trim();
  s = s.replace(/^mailto:/i, '');
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return fail('IDENTITY_INVALID_EMAIL', `not an email address: ${JSON.stringify(raw.slice(0, 60))}`);
  const local = s.slice(0, at);
  const domain = s.slice(at + 1).replace(/\.$/, '');
  if (local.length > 64 || domain.length > 253 || /[\s<>()[\]\\,;:"]/.test(local) || !/^[^\s@.]+(\.[^\s@.]+)+$/.test(domain) || /\.\./.test(local) || local.startsWith('.') || local.endsWith('.')) {
    return fail('IDENTITY_INVALID_EMAIL', `not an email address: ${JSON.stringify(raw.slice(0, 60))}`);
  }
  return { ok: true, kind: 'email', value: `${local}@${domain}`.toLowerCase() };
}

/** Chat providers differ in what a handle is; the provider prefix keeps handles of two networks apart. */
export const ChatProviders = ['web', 'whatsapp', 'messenger', 'telegram', 'slack', 'teams'] as const;
export type ChatProvider = (typeof ChatProviders)[number];

export function normalizeChatHandle(provider: string, raw: string, defaultRegion = 'US'): Normalized {
  const p = clean(provider).toLowerCase();
  if (!(ChatProviders as readonly string[]).includes(p)) return fail('IDENTITY_INVALID_HANDLE', `unknown chat provider ${JSON.stringify(provider.slice(0, 30))}`);
  if (raw.length > MAX_RAW) return fail('IDENTITY_INVALID_HANDLE', 'chat handle too long');
  const s = clean(raw);
  let handle: string;
  switch (p as ChatProvider) {
    case 'whatsapp': {
      // WhatsApp ids are phone numbers; keep them E.164 so they line up with SMS and calls.
      const ph = normalizePhone(s.replace(/@.*$/, ''), defaultRegion);
      if (!ph.ok) return fail('IDENTITY_INVALID_HANDLE', `WhatsApp handle is not a phone number: ${JSON.stringify(raw.slice(0, 40))}`);
      handle = ph.value;
      break;
    }
    case 'web':
      // Visitor ids are opaque tokens minted by our widget: case matters.
      if (!/^[A-Za-z0-9_-]{6,128}$/.test(s)) return fail('IDENTITY_INVALID_HANDLE', 'web chat visitor id must be 6–128 letters, digits, _ or -');
      handle = s;
      break;
    case 'messenger':
      if (!/^[0-9]{5,32}$/.test(s)) return fail('IDENTITY_INVALID_HANDLE', 'Messenger id must be digits');
      handle = s;
      break;
    default: {
      // Telegram, Slack, Teams usernames are case-insensitive and often written with a leading @.
      const h = s.replace(/^@/, '').toLowerCase();
      if (!/^[a-z0-9._:-]{2,128}$/.test(h)) return fail('IDENTITY_INVALID_HANDLE', `not a ${p} handle: ${JSON.stringify(raw.slice(0, 40))}`);
      handle = h;
    }
  }
  return { ok: true, kind: 'chat', value: `${p}:${handle}` };
}

export function normalizeExternal(system: string, raw: string): Normalized {
  const sys = clean(system).toLowerCase();
  const v = clean(raw);
  if (!/^[a-z0-9_-]{1,32}$/.test(sys) || v.length === 0 || v.length > 200) return fail('IDENTITY_INVALID_HANDLE', 'external id needs a system name and a value');
  return { ok: true, kind: 'external', value: `${sys}:${v}` };
}

export interface RawIdentity {
  kind: IdentityKind;
  value: string;
  /** Chat provider or external system, for kinds that need one. */
  provider?: string;
}

export function normalizeIdentity(id: RawIdentity, defaultRegion = 'US'): Normalized {
  switch (id.kind) {
    case 'phone': return normalizePhone(id.value, defaultRegion);
    case 'email': return normalizeEmail(id.value);
    case 'chat': return normalizeChatHandle(id.provider ?? 'web', id.value, defaultRegion);
    case 'external': return normalizeExternal(id.provider ?? 'crm', id.value);
  }
}

/** The identity a contact on a channel arrives with (SMS and calls carry phone numbers, email an address). */
export function identityKindForChannel(channel: Channel): IdentityKind {
  switch (channel) {
    case 'call':
    case 'sms': return 'phone';
    case 'email': return 'email';
    case 'chat': return 'chat';
    case 'webform': return 'email';
  }
}

/**
 * Document id of the flattened identity lookup row. Ids are capped at 64 characters, emails are not,
 * so long values keep a readable prefix and end in a 128-bit hash of the full value.
 */
export function identityDocId(kind: IdentityKind, value: string): string {
  const plain = `${kind}:${value}`;
  if (plain.length <= 64) return plain;
  return `${plain.slice(0, 64 - 34)}~${hash128(plain)}`;
}

/** Two independent 53-bit cyrb53 rounds: not cryptographic, only collision-resistant enough for ids. */
function hash128(s: string): string {
  const h = (seed: number) => {
    let h1 = 0xdeadbeef ^ seed;
    let h2 = 0x41c6ce57 ^ seed;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
  };
  return h(1) + h(2);
}
