import { describe, expect, it } from 'vitest';
import { callerE164, parseDialTarget } from './dial-target';

const opts = { region: 'GB', domain: 'threadline.test' };

describe('parseDialTarget', () => {
  it('dials short digit strings as internal extensions', () => {
    expect(parseDialTarget('1002', opts)).toEqual({ ok: true, uri: 'sip:1002@threadline.test', display: '1002', kind: 'extension' });
  });

  it('normalizes national numbers to E.164 with the tenant region', () => {
    const t = parseDialTarget('07700 900123', opts);
    expect(t).toMatchObject({ ok: true, kind: 'phone', e164: '+447700900123', uri: 'sip:+447700900123@threadline.test;user=phone' });
    expect(parseDialTarget('(0)20 7946 0958', opts)).toMatchObject({ ok: true, e164: '+442079460958' });
  });

  it('accepts tel: links in any spelling', () => {
    expect(parseDialTarget('tel:+1-202-555-0143', opts)).toMatchObject({ ok: true, e164: '+12025550143' });
    expect(parseDialTarget('tel:00442079460958;phone-context=x', opts)).toMatchObject({ ok: true, e164: '+442079460958' });
    expect(parseDialTarget('tel:1002', opts)).toMatchObject({ ok: true, uri: 'sip:1002@threadline.test', kind: 'extension' });
  });

  it('keeps sip: links to other domains and strips parameters', () => {
    expect(parseDialTarget('sip:alice@pbx.example.com;transport=tcp', opts)).toMatchObject({ ok: true, uri: 'sip:alice@pbx.example.com', kind: 'sip' });
    expect(parseDialTarget('sip:1003', opts)).toMatchObject({ ok: true, uri: 'sip:1003@threadline.test', kind: 'extension' });
    expect(parseDialTarget('sip:07700900123@threadline.test', opts)).toMatchObject({ ok: true, e164: '+447700900123' });
  });

  it('refuses garbage with a stable code instead of dialling it', () => {
    expect(parseDialTarget('   ', opts)).toMatchObject({ ok: false, code: 'DIAL_EMPTY' });
    expect(parseDialTarget('call mum', opts)).toMatchObject({ ok: false, code: 'DIAL_INVALID' });
    expect(parseDialTarget('sip:a b@x', opts)).toMatchObject({ ok: false, code: 'DIAL_INVALID' });
    expect(parseDialTarget('sip:x@<script>', opts)).toMatchObject({ ok: false, code: 'DIAL_INVALID' });
    expect(parseDialTarget('1'.repeat(400), opts)).toMatchObject({ ok: false, code: 'DIAL_INVALID' });
  });
});

describe('callerE164', () => {
  it('maps caller user parts to replica phone identities', () => {
    expect(callerE164('07700900123', 'GB')).toBe('+447700900123');
    expect(callerE164('+12025550143', 'GB')).toBe('+12025550143');
    expect(callerE164('1001', 'GB')).toBeUndefined();
    expect(callerE164('alice', 'GB')).toBeUndefined();
  });
});
