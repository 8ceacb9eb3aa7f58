/**
 * `tel:` and `sip:` links reach the app as a command-line argument (Windows/Linux, via the second
 * instance) or an `open-url` event (macOS). Anything that is not a plausible dial target is dropped
 * here, in main, so the renderer never acts on arbitrary strings from other programs.
 */
export interface DialRequest {
  kind: 'tel' | 'sip';
  /** For tel: the digits as given (normalized later with the tenant's region); for sip: user@host. */
  target: string;
}

const TEL = /^tel:(\+?[0-9().\- ]{2,40})(;.*)?$/i;
const SIP = /^sips?:([a-z0-9._~!$&'*+,;=%-]{1,64}@[a-z0-9.-]{1,253}(:\d{1,5})?)(;.*)?$/i;

export function parseDialLink(raw: string): DialRequest | undefined {
  let s: string;
  try {
    s = decodeURIComponent(raw.trim());
  } catch {
    return undefined;
  }
  if (s.length > 300) return undefined;
  const tel = TEL.exec(s);
  if (tel) {
    const digits = tel[1]!.replace(/[().\- ]/g, '');
    return /^\+?\d{2,20}$/.test(digits) ? { kind: 'tel', target: digits } : undefined;
  }
  const sip = SIP.exec(s);
  if (sip) return { kind: 'sip', target: sip[1]! };
  return undefined;
}

export function findDialLink(argv: readonly string[]): DialRequest | undefined {
  for (const a of argv) {
    if (/^(tel|sips?):/i.test(a)) {
      const d = parseDialLink(a);
      if (d) return d;
    }
  }
  return undefined;
}
