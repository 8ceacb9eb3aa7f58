import { describe, expect, it } from 'vitest';
import { findDialLink, parseDialLink } from './dial-links';

describe('dial links', () => {
  it('parses tel: links and strips visual separators', () => {
    expect(parseDialLink('tel:+44-20-7946-0018')).toEqual({ kind: 'tel', target: '+442079460018' });
    expect(parseDialLink('tel:%2B1%20(555)%20010-0199')).toEqual({ kind: 'tel', target: '+15550100199' });
    expect(parseDialLink('TEL:020 7946 0018;phone-context=example.com')).toEqual({ kind: 'tel', target: '02079460018' });
  });
  it('parses sip: links', () => {
    expect(parseDialLink('sip:1002@pbx.example.com')).toEqual({ kind: 'sip', target: '1002@pbx.example.com' });
    expect(parseDialLink('sips:alice@example.com:5061;transport=tls')).toEqual({ kind: 'sip', target: 'alice@example.com:5061' });
  });
  it('drops anything that is not a dial target', () => {
    for (const bad of ['tel:', 'tel:abc', 'tel:+1;rm -rf', 'sip:@host', 'sip:a b@host', 'javascript:alert(1)', 'tel:%E0%A4%A', `tel:${'1'.repeat(400)}`]) {
      expect(parseDialLink(bad), bad).toBeUndefined();
    }
  });
  it('finds the link among Electron command-line arguments', () => {
    expect(findDialLink(['/opt/Threadline/threadline', '--no-sandbox', 'tel:+15550100199'])).toEqual({ kind: 'tel', target: '+15550100199' });
    expect(findDialLink(['/opt/Threadline/threadline', '.'])).toBeUndefined();
  });
});
