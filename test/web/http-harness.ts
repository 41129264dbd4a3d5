import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { RupError } from '../../lib/errors.js';
import { editAction } from '../../lib/web/actions/edit.js';
import { exportCsvAction, exportCsvIdAction } from '../../lib/web/actions/export-csv.js';
import { newAction } from '../../lib/web/actions/new.js';
import { restoreAction, retireAction } from '../../lib/web/actions/retire.js';
import { searchAction } from '../../lib/web/actions/search.js';
import { showAction } from '../../lib/web/actions/show.js';
import { serveDownload } from '../../lib/web/download.js';
import { readForm } from '../../lib/web/upload.js';
import type { WebAction, WebRequest } from '../../lib/web/web-types.js';
import type { WebTestTracker } from './web-fixtures.js';

const ACTIONS = new Map<string, WebAction>(
  [editAction, newAction, retireAction, restoreAction, searchAction, showAction, exportCsvAction, exportCsvIdAction].map((a) => [a.name, a]),
);

const PATH = /^([A-Za-z_](?:[A-Za-z0-9_]*[A-Za-z_])?)(\d*)(?:\/(.*))?$/;

/**
 * A minimal request handler for driving the form actions, uploads and
 * downloads over real HTTP on loopback, until the web-core handler wraps
 * them. It stands in for what that handler does: the tracker is mounted at
 * /demo/, the user comes from an `X-Test-User` header (the id; anonymous by
 * default), the form is read by upload.ts, `@action` picks the action, and
 * outcomes become 302 redirects, JSON descriptions of the page to render
 * (status, template, messages) or the action's own response. RupErrors
 * become their status with the message as JSON.
 */
export async function startHarness(tt: WebTestTracker): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Koa();
  app.use(async (ctx) => {
    const rest = ctx.path.startsWith('/demo/') ? ctx.path.slice('/demo/'.length) : null;
    const m = rest === null ? null : PATH.exec(decodeURIComponent(rest));
    const db = await tt.tracker.open({ userid: ctx.get('x-test-user') || '2' }, { checked: true });
    try {
      const form = await readForm(ctx.req, ctx.querystring, { maxBytes: tt.tracker.config.WEB_MAX_UPLOAD_SIZE as number });
      const req: WebRequest = {
        tracker: tt.tracker,
        db,
        user: { userid: db.getuid(), username: '', anonymous: db.getuid() === '2' },
        session: { id: null, get: () => undefined, set: () => undefined, destroy: async () => undefined },
        method: ctx.method,
        headers: ctx.headers,
        remoteAddress: ctx.ip,
        baseUrl: `http://${ctx.host}/demo/`,
        basePath: '/demo/',
        target: {
          classname: m?.[1] ?? null,
          itemid: m?.[2] ? String(Number(m[2])) : null,
          filename: m?.[3] ?? null,
          template: form.get('@template') ?? (m?.[2] ? 'item' : m?.[1] ? 'index' : 'home'),
        },
        form,
        messages: { ok: [], error: [] },
      };
      const actionName = form.get('@action')?.toLowerCase();
      if (actionName) {
        const action = ACTIONS.get(actionName);
        if (!action) throw new RupError('RUP_ERR_VALUE', `No such action "${actionName}"`);
        const outcome = await action.run(req);
        if (outcome.kind === 'redirect') {
          ctx.status = 302;
          ctx.set('Location', outcome.location);
        } else if (outcome.kind === 'render') {
          ctx.status = outcome.status ?? 200;
          ctx.body = { template: req.target.template, errors: req.messages.error, trusted: [...(req.messages.trusted ?? [])], queryname: outcome.form?.get('@queryname') ?? null };
        } else {
          ctx.status = outcome.status;
          ctx.set(outcome.headers);
          ctx.body = outcome.body;
        }
      } else if (req.target.itemid !== null && req.target.filename !== null) {
        const download = await serveDownload(req);
        ctx.status = download.status;
        // Body first: Koa drops Content-Length when a stream becomes the body.
        if (download.body !== null) ctx.body = download.body;
        ctx.set(download.headers);
      } else {
        ctx.body = { page: req.target };
      }
    } catch (err) {
      await db.rollback();
      if (!(err instanceof RupError)) throw err;
      ctx.status = err.status;
      ctx.body = { error: err.message };
    } finally {
      await db.close();
    }
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/demo/`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
