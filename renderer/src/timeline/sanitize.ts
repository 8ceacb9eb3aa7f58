import createDOMPurify, { type WindowLike } from 'dompurify';

/**
 * Customer email HTML is hostile until proven otherwise. Before display it goes through DOMPurify
 * with a mail-specific policy: no scripts, handlers, forms, frames, SVG/MathML or styles (inline
 * styles can carry tracking `url()`s); remote images are blocked (tracking pixels tell the sender
 * when an agent opened the mail) and shown as a placeholder; links open outside the app with no
 * opener. The app's CSP (no inline script, images only from self/data) is the second wall.
 */
const FORBID_TAGS = ['style', 'script', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math', 'link', 'meta', 'base', 'video', 'audio', 'source', 'track', 'canvas', 'template', 'noscript', 'dialog'];
const FORBID_ATTR = ['style', 'class', 'id', 'srcset', 'background', 'formaction', 'action', 'ping', 'poster'];

export type Sanitizer = (html: string) => string;

export function createEmailSanitizer(win?: WindowLike): Sanitizer {
  const purify = win ? createDOMPurify(win) : createDOMPurify();
  purify.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if (el.tagName === 'IMG') {
      const src = el.getAttribute('src') ?? '';
      if (!/^data:image\/(png|gif|jpe?g|webp);/i.test(src)) {
        el.removeAttribute('src');
        el.setAttribute('alt', `[image blocked${el.getAttribute('alt') ? `: ${el.getAttribute('alt')}` : ''}]`);
        el.setAttribute('data-tl-blocked', '');
      }
    }
    if (el.tagName === 'A') {
      const href = el.getAttribute('href') ?? '';
      if (!/^(https?:|mailto:|tel:)/i.test(href)) el.removeAttribute('href');
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });
  return (html: string) => {
    const frag = purify.sanitize(html, {
      FORBID_TAGS, FORBID_ATTR, ALLOW_DATA_ATTR: false, ALLOW_ARIA_ATTR: false,
      WHOLE_DOCUMENT: false, RETURN_DOM_FRAGMENT: true, USE_PROFILES: { html: true },
    });
    // A blocked image becomes a plain text placeholder (an <img> without src shows a broken icon).
    const doc = frag.ownerDocument;
    frag.querySelectorAll('img[data-tl-blocked]').forEach((img) => {
      const span = doc.createElement('span');
      span.setAttribute('data-blocked-image', '');
      span.textContent = img.getAttribute('alt') ?? '[image blocked]';
      img.replaceWith(span);
    });
    const box = doc.createElement('div');
    box.appendChild(frag);
    return box.innerHTML;
  };
}

let shared: Sanitizer | undefined;
/** The renderer's sanitizer, made on first use (DOMPurify needs the window). */
export function sanitizeEmailHtml(html: string): string {
  shared ??= createEmailSanitizer();
  return shared(html);
}
