/**
 * The security headers every response of a tracker's web interface
 * carries (pages, errors, redirects and static files; downloads keep
 * their stricter `Content-Security-Policy: script-src 'none'`):
 *
 * - Content-Security-Policy: resources only from the tracker's origin,
 *   no inline script or style, no plugins, forms only to the tracker, and
 *   no framing;
 * - X-Frame-Options: DENY, for browsers without frame-ancestors;
 * - Referrer-Policy: same-origin: tracker URLs (which may hold search
 *   terms) are not sent to other sites, while the tracker's own CSRF
 *   check still sees its Referer;
 * - X-Content-Type-Options: nosniff.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
});

/** Sets each security header the response does not set itself. */
export function applySecurityHeaders(response: { has(name: string): boolean; set(name: string, value: string): void }): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (!response.has(name)) response.set(name, value);
  }
}
