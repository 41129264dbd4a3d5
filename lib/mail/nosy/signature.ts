/**
 * The signature block of nosy messages (Roundup's `email_signature`):
 *
 *     _________________________________________________
 *     Roundup issue tracker <issue_tracker@example.com>
 *     <http://localhost:8080/fx/issue2>
 *     _________________________________________________
 *
 * preceded by an empty line; the underscore lines are as long as the
 * longer of the tracker address and the bracketed URL.
 */

/** Python's `email.utils.specialsre`: a name holding one of these is quoted. */
const SPECIALS = /[\][\\()<>@,:;".]/;

/**
 * Python's `email.utils.formataddr((name, address))`, which Roundup uses
 * here (not the header formatting of the mailer): a name that is not
 * ASCII becomes one base64 encoded word, as Python's utf-8 charset
 * encodes headers.
 */
function formataddr(name: string, address: string): string {
  if (!name) return address;
  if (!/^[\x00-\x7f]*$/.test(name)) return `=?utf-8?b?${Buffer.from(name, 'utf8').toString('base64')}?= <${address}>`;
  const escaped = name.replace(/[\\"]/g, '\\$&');
  return SPECIALS.test(name) ? `"${escaped}" <${address}>` : `${escaped} <${address}>`;
}

/**
 * The signature for item `classname``itemid`. A `[tracker] web` that is not
 * an http(s) URL gives Roundup's configuration error text in its place.
 */
export function emailSignature(trackerName: string, trackerEmail: string, trackerWeb: string, classname: string, itemid: string): string {
  const web = /^https?:\/\//.test(trackerWeb)
    ? `${trackerWeb.endsWith('/') ? trackerWeb : `${trackerWeb}/`}${classname}${itemid}`
    : "Configuration Error: TRACKER_WEB isn't a fully-qualified URL";
  const email = formataddr(trackerName, trackerEmail);
  const line = '_'.repeat(Math.max([...web].length + 2, [...email].length));
  return `\n${line}\n${email}\n<${web}>\n${line}`;
}
