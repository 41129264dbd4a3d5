import { escapeHtml } from './html.js';

/**
 * Roundup's StringHTMLProperty hyperlinking: in a text, URLs
 * (`http://...`, `https://...`, `ftp://...`, `www.example.com`), e-mail
 * addresses and item designators of existing classes (`issue23`,
 * `issue 23`, `issue23#msg5`) become links. Everything else is escaped.
 * URLs get `rel="nofollow noopener"`; designators link relative to the
 * tracker's base URL.
 */

const URL_PART = String.raw`(?:(?:https?|ftp):\/\/|www\.)[^\s<>"'()\[\]]+[^\s<>"'()\[\].,;:!?]`;
const EMAIL_PART = String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`;
const ITEM_PART = String.raw`\b([A-Za-z_]+)(\s*)(\d+)(#[^\s<>"']+)?`;
const PATTERN = new RegExp(`(${URL_PART})|(${EMAIL_PART})|${ITEM_PART}`, 'g');

/**
 * The text as HTML with its links. `hasClass` says which words are class
 * names (only those become item links); `base` is the tracker's base URL.
 */
export function hyperlinkText(text: string, base: string, hasClass: (name: string) => boolean): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(PATTERN)) {
    const start = m.index!;
    let html: string | null = null;
    if (m[1]) {
      const href = m[1].startsWith('www.') ? `http://${m[1]}` : m[1];
      html = `<a href="${escapeHtml(href)}" rel="nofollow noopener">${escapeHtml(m[1])}</a>`;
    } else if (m[2]) {
      html = `<a href="mailto:${escapeHtml(m[2])}">${escapeHtml(m[2])}</a>`;
    } else if (m[3] && hasClass(m[3])) {
      const designator = `${m[3]}${m[5]}`;
      const fragment = m[6] ?? '';
      html = `<a href="${escapeHtml(base + designator + fragment)}">${escapeHtml(m[0])}</a>`;
    }
    if (html === null) continue;
    out += escapeHtml(text.slice(last, start)) + html;
    last = start + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}
