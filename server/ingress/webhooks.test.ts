import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { remoteNumber } from './routes';
import { signWebhook, toContact, verifySignature } from './webhooks';

const secret = 'whsec_unit_0123456789';
const now = 1_800_000_000;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof AppError ? e.code : 'THROWN';
  }
}

describe('webhook signatures', () => {
  it('accepts the right signature inside the window only', () => {
    const body = '{"from":"+447700900123","to":"x","text":"hi"}';
    const sig = signWebhook(secret, now, body);
    expect(code(() => verifySignature(secret, { timestamp: String(now), signature: sig }, body, now + 299))).toBeUndefined();
    expect(code(() => verifySignature(secret, { timestamp: String(now), signature: sig }, body, now + 301))).toBe('INGRESS_SIGNATURE_INVALID');
    expect(code(() => verifySignature(secret, { timestamp: String(now), signature: sig }, `${body} `, now))).toBe('INGRESS_SIGNATURE_INVALID');
    expect(code(() => verifySignature('other-secret-000000', { timestamp: String(now), signature: sig }, body, now))).toBe('INGRESS_SIGNATURE_INVALID');
    expect(code(() => verifySignature(secret, { timestamp: undefined, signature: sig }, body, now))).toBe('INGRESS_SIGNATURE_INVALID');
  });
  it('property: any change to body or timestamp breaks the signature; garbage headers never throw anything but the coded error', () => {
    fc.assert(fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (body, extra, junk) => {
      const sig = signWebhook(secret, now, body);
      expect(code(() => verifySignature(secret, { timestamp: String(now), signature: sig }, body + extra, now))).toBe('INGRESS_SIGNATURE_INVALID');
      expect(code(() => verifySignature(secret, { timestamp: String(now + 1), signature: sig }, body, now))).toBe('INGRESS_SIGNATURE_INVALID');
      expect(code(() => verifySignature(secret, { timestamp: junk, signature: junk }, body, now))).toBe('INGRESS_SIGNATURE_INVALID');
    }), { numRuns: 300 });
  });
});

describe('webhook bodies', () => {
  it('map to contacts on their channel and refuse unknown fields', () => {
    const c = toContact('chat', 't', { provider: 'telegram', handle: '@Alice', sessionId: 's1', text: 'hi' }, 1000);
    expect(c).toMatchObject({ channel: 'chat', identity: { kind: 'chat', provider: 'telegram', value: '@Alice' }, at: 1000 });
    expect(code(() => toContact('sms', 't', { from: '1', to: '2', text: 'x', admin: true }, 1000))).toBe('VALIDATION_FAILED');
    // Provider clocks are trusted within a day, never into the future.
    expect(toContact('sms', 't', { from: '1', to: '2', text: 'x', receivedAt: 5000 }, 86_400_000 * 10).at).toBe(86_400_000 * 10);
    expect(toContact('sms', 't', { from: '1', to: '2', text: 'x', receivedAt: 2000 }, 1000).at).toBe(1000);
  });
  it('reads the number out of SIP and tel URIs', () => {
    expect(remoteNumber('sip:+447700900456@pbx.example;user=phone')).toBe('+447700900456');
    expect(remoteNumber('tel:07700900456')).toBe('07700900456');
    expect(remoteNumber('07700 900456')).toBe('07700 900456');
  });
});
