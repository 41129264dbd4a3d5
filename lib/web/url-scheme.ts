/**
 * Roundup's URL scheme (determine_context), for the part of the path
 * after the tracker's base:
 *
 * | path | route |
 * | --- | --- |
 * | ``, `home`, `index` (and anything below them) | the home page |
 * | `@@file/<path>`, `_file/<path>` | a static file |
 * | `rest`, `rest/...`, `xmlrpc` (when enabled) | the APIs |
 * | `<class>` | the class's index |
 * | `<class><id>` (leading zeros dropped: `issue007` is `issue7`) | an item |
 * | `<class><id>/<name>` | the download of the item's content |
 *
 * Ids above 2^31 are unknown items (Roundup refuses them before the
 * database does). Whether the class and item exist is the caller's check.
 */

export type Route =
  | { kind: 'page'; classname: string | null; itemid: string | null }
  | { kind: 'download'; classname: string; itemid: string; filename: string }
  | { kind: 'static'; segments: string[] }
  | { kind: 'api'; api: 'rest' | 'xmlrpc'; path: string }
  | { kind: 'not-found'; what: string };

const CLASS = /^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z_])?$/;
const DESIGNATOR = /^([A-Za-z](?:[A-Za-z0-9_]*[A-Za-z_])?)0*(\d+)$/;
const MAX_ID = 2 ** 31;

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * The route of `path` (the request path after the base, still
 * percent-encoded, without a leading `/`). `apis` says which APIs are
 * enabled (`[web] enable_rest`, `enable_xmlrpc`); disabled ones are class
 * names like any other (so 404), as in Roundup.
 */
export function parseTrackerPath(path: string, apis: { rest: boolean; xmlrpc: boolean }): Route {
  const segments = path.split('/');
  const first = decode(segments[0]!);
  if (first === null) return { kind: 'not-found', what: segments[0]! };
  if (first === '' || first === 'home' || first === 'index') return { kind: 'page', classname: null, itemid: null };
  if (first === '@@file' || first === '_file') return { kind: 'static', segments: segments.slice(1) };
  if (apis.rest && first === 'rest') return { kind: 'api', api: 'rest', path };
  if (apis.xmlrpc && first === 'xmlrpc' && segments.length === 1) return { kind: 'api', api: 'xmlrpc', path };

  const m = DESIGNATOR.exec(first);
  if (segments.length > 1) {
    // Only an item can have something after it: the name its download is saved as.
    if (!m || Number(m[2]) > MAX_ID) return { kind: 'not-found', what: path };
    const filename = decode(segments.slice(1).join('/'));
    if (filename === null) return { kind: 'not-found', what: path };
    return { kind: 'download', classname: m[1]!, itemid: String(Number(m[2])), filename };
  }
  if (m) {
    if (Number(m[2]) > MAX_ID) return { kind: 'not-found', what: first };
    return { kind: 'page', classname: m[1]!, itemid: String(Number(m[2])) };
  }
  if (CLASS.test(first)) return { kind: 'page', classname: first, itemid: null };
  return { kind: 'not-found', what: first };
}
