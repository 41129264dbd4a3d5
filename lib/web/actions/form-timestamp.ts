/**
 * The anti-bot timestamp of the registration form (Roundup's
 * `roundup.cgi.timestamp`): the page embeds the time it was made in a
 * hidden `opaqueregister` field (`utils.timestamp()` in templates), and
 * the register action refuses a form sent back sooner than
 * `[web] registration_delay` seconds.
 *
 * The value is Roundup's: the Unix time in seconds as a 4-byte
 * little-endian signed integer (Python's `struct.pack("i", ...)` on the
 * machines Roundup runs on), base64-encoded, so forms rendered by either
 * implementation are accepted by the other.
 */

/** The `opaqueregister` value for `epochSeconds` (now by default). */
export function packTimestamp(epochSeconds: number = Date.now() / 1000): string {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32LE(Math.floor(epochSeconds) | 0);
  return bytes.toString('base64');
}

/** The time packed in an `opaqueregister` value, or null when it is not one (Roundup: "Form is corrupted."). */
export function unpackTimestamp(value: string): number | null {
  const bytes = Buffer.from(value, 'base64');
  // Node decodes leniently: insist on exactly the canonical encoding of 4 bytes.
  if (bytes.length !== 4 || bytes.toString('base64') !== value) return null;
  return bytes.readInt32LE();
}

/**
 * Roundup's `Timestamped.timecheck`: null when the form in `value` was made
 * at least `delaySeconds` before `nowSeconds`, else the message to show.
 */
export function timestampProblem(value: string | undefined, field: string, delaySeconds: number, nowSeconds: number = Date.now() / 1000): string | null {
  if (value === undefined) return `Form is corrupted, missing: ${field}.`;
  const created = unpackTimestamp(value);
  if (created === null) return 'Form is corrupted.';
  if (nowSeconds - created < delaySeconds) return 'Responding to form too quickly.';
  return null;
}
