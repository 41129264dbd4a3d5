import type { IncomingHttpHeaders } from 'node:http';
import type { Database } from '../hyperdb/database.js';
import type { Tracker } from '../tracker/tracker.js';

/**
 * The contracts the parts of lib/web share: what an action, a view-model
 * loader or a middleware sees of a request, and what an action answers.
 * Nothing here knows the transport (standalone server, CGI, FastCGI,
 * proxy): the handler is a plain Koa app.
 */

/** An uploaded file, read into memory within the configured size limit. */
export interface UploadedFile {
  /** The form field it came in (`@file`, `@file-2`, `file-1@content`, ...). */
  field: string;
  filename: string;
  mimetype: string;
  content: Buffer;
}

/** A submitted form: query string and body fields (repeated names keep every value), and files. */
export interface FormData {
  readonly fields: ReadonlyMap<string, readonly string[]>;
  readonly files: readonly UploadedFile[];
  /** The first value of a field; `@`-prefixed names are also found under their legacy `:` spelling. */
  get(name: string): string | undefined;
  getAll(name: string): readonly string[];
  has(name: string): boolean;
}

/** The server-side session of the browser (Roundup keeps it in its session store). */
export interface SessionHandle {
  /** The session id (the cookie value); null until something is stored. */
  readonly id: string | null;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  /** Ends the session (logout). */
  destroy(): Promise<void>;
}

/** Who is making the request. */
export interface WebUser {
  userid: string;
  username: string;
  /** True for the anonymous user. */
  anonymous: boolean;
}

/** Messages shown on the next page (Roundup's @ok_message / @error_message). */
export interface PageMessages {
  ok: string[];
  error: string[];
  /**
   * Messages (in `ok` or `error`) that are HTML written by the tracker
   * itself and must not be escaped (Roundup's add_error_message(...,
   * escape=False): the edit-collision link, RejectRaw). Everything else
   * is escaped.
   */
  trusted?: Set<string>;
}

/** What the URL names, after the tracker's base path. */
export interface WebTarget {
  /** `issue` for /issue, /issue42, /issue42/...; null for the home page. */
  classname: string | null;
  itemid: string | null;
  /** The file name in /file12/name.txt downloads. */
  filename: string | null;
  /** `@template` (or the default: index, item, home). */
  template: string | null;
}

/**
 * One request as the tracker's web layer handles it. `db` is a checked
 * unit of work acting as the user: everything an action or a loader does
 * through it is subject to the security model.
 */
export interface WebRequest {
  readonly tracker: Tracker;
  readonly db: Database;
  readonly user: WebUser;
  readonly session: SessionHandle;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string;
  /** The tracker's absolute base URL, ending in `/` (`[tracker] web`, or derived from the mount point). */
  readonly baseUrl: string;
  /** The path the tracker is mounted at, ending in `/` (`/demo/`). */
  readonly basePath: string;
  readonly target: WebTarget;
  readonly form: FormData;
  readonly messages: PageMessages;
}

/** What an action answers. */
export type ActionOutcome =
  /** Redirect (POST-redirect-GET); `@ok_message`/`@error_message` travel in the URL as Roundup does. */
  | { kind: 'redirect'; location: string }
  /**
   * Render the page named by the request again, showing `messages` (used
   * after errors). `form`, when given, is what the page shows instead of
   * the submitted form (the search page after a duplicate query name).
   * `headers`, when given, are sent with the page (Retry-After and the
   * X-RateLimit-* headers of a login refused for coming too fast).
   */
  | { kind: 'render'; template?: string; status?: number; form?: FormData; headers?: Record<string, string> }
  /** A complete response of its own (CSV export, ...). */
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer | string };

/**
 * An `@action`. Roundup's names: login, logout, new, edit, retire, restore,
 * search, show, export_csv, export_csv_id, register, confrego, passrst,
 * and whatever extensions register.
 */
export interface WebAction {
  readonly name: string;
  /** Whether the action changes data: such actions need POST and a valid CSRF token. */
  readonly changesData: boolean;
  run(req: WebRequest): Promise<ActionOutcome>;
}
