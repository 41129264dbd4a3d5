import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * What a browser does to a tracker behind a web server, over real
 * HTTP(S): requests without following redirects, a cookie jar, and the
 * Origin and Referer headers a form submission carries. TLS is checked
 * against the test's own certificate.
 */

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The local address to connect from (another loopback address is another client). */
  localAddress?: string;
}

export class Browser {
  readonly #cookies = new Map<string, string>();

  /** @param ca the certificate an https server must present (the test's self-signed one). */
  constructor(private readonly ca?: string) {}

  request(url: string, options: RequestOptions = {}): Promise<Answer> {
    const target = new URL(url);
    const https = target.protocol === 'https:';
    const headers: Record<string, string> = { Connection: 'close', ...(options.headers ?? {}) };
    if (this.#cookies.size) headers.Cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
    return new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        {
          host: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: options.method ?? 'GET',
          headers,
          agent: false,
          localAddress: options.localAddress,
          ...(https ? { ca: this.ca } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            for (const cookie of res.headers['set-cookie'] ?? []) {
              const [pair = ''] = cookie.split(';');
              const eq = pair.indexOf('=');
              if (eq > 0) this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  /**
   * Submits a form as a browser would from the page at `pageUrl`: POST,
   * urlencoded, with Origin and Referer of that page.
   */
  submit(url: string, fields: Record<string, string>, pageUrl: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: new URL(pageUrl).origin, Referer: pageUrl, ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

/** The `@csrf` token of the first form on a page. */
export function csrfToken(page: string): string {
  const token = /name="@csrf"\s+value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error(`no @csrf token on the page:\n${page.slice(0, 500)}`);
  return token;
}

/** An HTTP Basic Authorization header value. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
