import { Tracker } from '../../lib/tracker/tracker.js';
import { csrfOf } from '../web/app-harness.js';
import { type Answer, type SendOptions, formBody, send } from './http-client.js';

/**
 * A browser on one tracker behind roundup-server: keeps the session
 * cookie, takes the `@csrf` token from a page, sends the Referer and
 * Origin of the tracker's URL (its `[tracker] web` host with the path the
 * server mounts it at), so a form posted through the server is a form a
 * real browser would post.
 */
export class TrackerBrowser {
  private cookie: string | undefined;

  /** `mount` is the tracker's path on the server (`/support/`); `origin` the scheme and host of its `[tracker] web`. */
  constructor(
    readonly port: number,
    readonly mount: string,
    readonly origin = 'http://tracker.example',
    readonly options: Pick<SendOptions, 'tls'> = {},
  ) {}

  async request(method: string, path: string, options: SendOptions = {}): Promise<Answer> {
    const headers = { Host: new URL(this.origin).host, ...(this.cookie ? { Cookie: this.cookie } : {}), ...(options.headers ?? {}) };
    const answer = await send(this.port, `${this.mount}${path}`, { ...this.options, ...options, method, headers });
    const cookies = answer.headers['set-cookie'] ?? [];
    const session = cookies.find((c) => c.startsWith('roundup_session_'));
    if (session) {
      const pair = session.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    return answer;
  }

  get(path: string): Promise<Answer> {
    return this.request('GET', path);
  }

  /** A fresh `@csrf` token from the new-issue page. */
  async token(): Promise<string> {
    const page = await this.get('issue?@template=item');
    const token = csrfOf(page.body);
    if (token === undefined) throw new Error(`no @csrf token on ${this.mount}issue?@template=item (status ${page.status})`);
    return token;
  }

  /** POSTs a form with a token, as a browser on the tracker's own pages would. */
  async post(path: string, fields: Record<string, string>): Promise<Answer> {
    const body = formBody({ ...fields, '@csrf': await this.token() });
    return this.request('POST', path, {
      body,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Referer: `${this.origin}${this.mount}${path}`,
        Origin: this.origin,
      },
    });
  }

  login(username: string, password: string): Promise<Answer> {
    return this.post('', { '@action': 'login', __login_name: username, __login_password: password });
  }
}

/** The titles of the issues in the tracker at `home` (opened separately, as another process would). */
export async function issueTitles(home: string): Promise<string[]> {
  const tracker = await Tracker.open(home);
  try {
    const db = await tracker.open({ userid: '1' }, { checked: false });
    try {
      const issues = db.getclass('issue');
      return await Promise.all((await issues.list()).map(async (id) => (await issues.get(id, 'title')) as string));
    } finally {
      await db.close();
    }
  } finally {
    await tracker.close();
  }
}
