import fc from 'fast-check';
import type { WindowLike } from 'dompurify';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createEmailSanitizer } from './sanitize';

// jsdom ships no types here; this is the one constructor the test needs.
const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string) => { window: Window & typeof globalThis } };
const win = new JSDOM('').window;
const sanitize = createEmailSanitizer(win as unknown as WindowLike);

/** Parses the output and reports anything executable or remote that survived. */
function dangers(html: string): string[] {
  const doc = new JSDOM(`<body>${html}</body>`).window.document;
  const found: string[] = [];
  doc.querySelectorAll('*').forEach((el: Element) => {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'svg', 'math', 'style', 'form', 'base', 'meta', 'link'].includes(tag)) found.push(`<${tag}>`);
    for (const a of Array.from(el.attributes)) {
      if (/^on/i.test(a.name)) found.push(`${tag}[${a.name}]`);
      if (a.name === 'style') found.push(`${tag}[style]`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name) && /^\s*(javascript|vbscript|data:text)/i.test(a.value)) found.push(`${tag}[${a.name}=${a.value}]`);
      if (a.name === 'src' && /^\s*(https?:)?\/\//i.test(a.value)) found.push(`${tag}[remote src]`);
    }
  });
  return found;
}

describe('email HTML sanitizer', () => {
  it('keeps the message and removes scripts, handlers, frames and tracking pixels', () => {
    const raw = readFileSync('test/fixtures/mail/hostile-html.eml', 'utf8');
    const html = raw.slice(raw.indexOf('<html>'), raw.indexOf('</html>') + 7);
    const out = sanitize(html);
    expect(out).toContain('<b>4,120 kWh</b>');
    expect(out).toContain('Please correct it. Alice');
    expect(dangers(out)).toEqual([]);
    expect(out).toContain('[image blocked]');
    expect(out).not.toContain('tracker.example.com');
  });

  it('makes links safe to follow', () => {
    const out = sanitize('<a href="https://northwind.example/bill">bill</a><a href="javascript:alert(1)">x</a>');
    expect(out).toContain('href="https://northwind.example/bill"');
    expect(out).toContain('rel="noopener noreferrer nofollow"');
    expect(out).not.toMatch(/javascript:/i);
  });

  it('neutralises classic XSS vectors', () => {
    const vectors = [
      '<img src=x onerror=alert(1)>', '<svg/onload=alert(1)>', '<body onload=alert(1)>', '<iframe srcdoc="<script>alert(1)</script>">',
      '<a href="&#106;avascript:alert(1)">a</a>', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', '<form action="javascript:alert(1)"><button>x</button></form>',
      '<div style="background:url(javascript:alert(1))">x</div>', '<object data="javascript:alert(1)"></object>', '<base href="javascript:alert(1)//">',
      '<noscript><p title="</noscript><img src=x onerror=alert(1)>">', '<details open ontoggle=alert(1)>', '<video><source onerror=alert(1)></video>',
      '<a href="  JaVaScRiPt:alert(1)">x</a>', '<img src="data:text/html,<script>alert(1)</script>">',
    ];
    for (const v of vectors) expect(dangers(sanitize(v)), v).toEqual([]);
  });

  it('property: random markup built from hostile pieces never yields anything executable', () => {
    const piece = fc.constantFrom(
      '<script>', '</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:x">', '</a>', '<svg>', '<style>', '</style>', '<iframe>',
      '<p onclick="x">', '</p>', '"', "'", '<', '>', '<!--', '-->', '<![CDATA[', 'text', '<b>', '</b>', '<math>', '<template>', '<noscript>',
      '<table>', '<img src="https://t.example/p.gif">', '&lt;', '&#x6A;avascript:', '<div style="x">', '</div>', '<form>', '<input autofocus onfocus=x>',
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
      expect(dangers(sanitize(parts.join('')))).toEqual([]);
    }), { numRuns: 400 });
  });
});
