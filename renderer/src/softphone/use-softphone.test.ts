import { describe, expect, it } from 'vitest';
import { phoneIdentityFrom } from './use-softphone';

describe('phoneIdentityFrom', () => {
  it('takes user and domain from the agent doc sipUri', () => {
    expect(phoneIdentityFrom({ sipUri: 'sip:1002@demo.threadline', extension: '1002', displayName: 'Jonas' }, '')).toEqual({ user: '1002', domain: 'demo.threadline', displayName: 'Jonas' });
  });

  it('falls back to the extension, and has nothing to register without either', () => {
    expect(phoneIdentityFrom({ extension: '1003' }, '')).toMatchObject({ user: '1003' });
    expect(phoneIdentityFrom({ displayName: 'Admin' }, '')).toBeUndefined();
    expect(phoneIdentityFrom(undefined, '')).toBeUndefined();
  });

  it('lets the web host override the identity by query, but only with a plausible user', () => {
    expect(phoneIdentityFrom(undefined, '?sipUser=2001&sipDomain=x.test&sipName=Ann')).toEqual({ user: '2001', domain: 'x.test', displayName: 'Ann' });
    expect(phoneIdentityFrom({ extension: '1003' }, '?sipUser=<script>')).toMatchObject({ user: '1003' });
  });
});
