import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identityDocId, normalizeChatHandle, normalizeEmail, normalizeIdentity, normalizePhone } from './identity';

const ok = (r: ReturnType<typeof normalizePhone>) => (r.ok ? r.value : `ERR:${r.code}`);

describe('phone normalization', () => {
  it('collapses the spellings of one number to E.164 using the tenant region', () => {
    for (const raw of ['07700 900123', '+44 7700 900123', '0044 7700 900123', 'tel:+447700900123', '(07700) 900-123', '\u200B+44 7700 900 123\uFEFF']) {
      expect(ok(normalizePhone(raw, 'GB'))).toBe('+447700900123');
    }
    expect(ok(normalizePhone('(415) 555-0134', 'US'))).toBe('+14155550134');
    // The same national digits mean a different number in another region.
    expect(ok(normalizePhone('030 1234567', 'DE'))).toBe('+49301234567');
  });

  it('rejects what is not a phone number with a stable code', () => {
    for (const raw of ['', 'abc', '12', '+44 7700 900123 ext <script>', 'x'.repeat(10_000), '+999 1234', '07700 900123; DROP TABLE']) {
      const r = normalizePhone(raw, 'GB');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe('IDENTITY_INVALID_PHONE');
    }
  });

  it('property: normalization is idempotent and region-independent once E.164', () => {
    fc.assert(fc.property(fc.stringMatching(/^7[0-9]{9}$/), fc.constantFrom('GB', 'US', 'DE', 'FR'), (national, region) => {
      const first = normalizePhone(`0${national}`, 'GB');
      if (!first.ok) return;
      const again = normalizePhone(first.value, region);
      expect(again).toEqual(first);
    }));
  });

  it('property: never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 4 }), (s, region) => {
      const r = normalizePhone(s, region);
      if (r.ok) expect(r.value).toMatch(/^\+[1-9][0-9]{3,15}$/);
    }), { numRuns: 2000 });
  });
});

describe('email normalization', () => {
  it('drops display names and case, keeps tags and dots', () => {
    expect(normalizeEmail('"Alice Walsh" <Alice.Walsh+bills@Example.COM>')).toEqual({ ok: true, kind: 'email', value: 'alice.walsh+bills@example.com' });
    expect(normalizeEmail('mailto:bob@example.org.')).toMatchObject({ value: 'bob@example.org' });
  });
  it('rejects malformed addresses', () => {
    for (const raw of ['', 'no-at', '@example.com', 'a@', 'a@b', 'a b@example.com', 'a..b@example.com', '<>', `${'a'.repeat(70)}@example.com`]) {
      expect(normalizeEmail(raw)).toMatchObject({ ok: false, code: 'IDENTITY_INVALID_EMAIL' });
    }
  });
  it('property: idempotent, lower-case, and case-insensitive in its input', () => {
    fc.assert(fc.property(fc.emailAddress(), (addr) => {
      const r = normalizeEmail(addr);
      if (!r.ok) return;
      expect(r.value).toBe(r.value.toLowerCase());
      expect(normalizeEmail(r.value)).toEqual(r);
      expect(normalizeEmail(addr.toUpperCase())).toEqual(r);
      expect(normalizeEmail(`Someone <${addr}>`)).toEqual(r);
    }), { numRuns: 1000 });
  });
});

describe('chat handles', () => {
  it('prefixes the provider and applies its own rules', () => {
    expect(normalizeChatHandle('Telegram', '@Alice_W')).toMatchObject({ ok: true, value: 'telegram:alice_w' });
    expect(normalizeChatHandle('whatsapp', '447700900123@s.whatsapp.net', 'GB')).toMatchObject({ value: 'whatsapp:+447700900123' });
    expect(normalizeChatHandle('web', 'Vis_01HXYZabc')).toMatchObject({ value: 'web:Vis_01HXYZabc' });
    expect(normalizeChatHandle('icq', '123')).toMatchObject({ ok: false, code: 'IDENTITY_INVALID_HANDLE' });
    expect(normalizeChatHandle('messenger', 'abc')).toMatchObject({ ok: false });
  });
  it('normalizeIdentity dispatches by kind', () => {
    expect(normalizeIdentity({ kind: 'phone', value: '07700900123' }, 'GB')).toMatchObject({ value: '+447700900123' });
    expect(normalizeIdentity({ kind: 'external', value: 'C-42', provider: 'SAP' })).toMatchObject({ value: 'sap:C-42' });
  });
});

describe('identity document ids', () => {
  it('are the plain key when short and a bounded, distinct hash form when long', () => {
    expect(identityDocId('phone', '+447700900123')).toBe('phone:+447700900123');
    const long1 = identityDocId('email', `${'x'.repeat(60)}1@example.com`);
    const long2 = identityDocId('email', `${'x'.repeat(60)}2@example.com`);
    expect(long1.length).toBeLessThanOrEqual(64);
    expect(long1).not.toBe(long2);
  });
  it('property: never longer than 64 and injective on a sample', () => {
    const seen = new Map<string, string>();
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 320 }), (v) => {
      const id = identityDocId('email', v);
      expect(id.length).toBeLessThanOrEqual(64);
      const prior = seen.get(id);
      if (prior !== undefined) expect(prior).toBe(v);
      seen.set(id, v);
    }), { numRuns: 3000 });
  });
});
