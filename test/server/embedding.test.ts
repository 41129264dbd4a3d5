import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { RupError, createServerHandler, createTrackerHandler } from 'rup-tracker';
import { type TestTracker, createTestTracker } from '../support/trackers.js';
import { send } from './http-client.js';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('the package entry: embedding trackers (docs/embedding.md)', function () {
  this.timeout(60000);
  let support: TestTracker;
  const servers: Server[] = [];
  const handlers: Array<{ close(): Promise<void> }> = [];

  before(async function () {
    support = await createTestTracker();
    await support.tracker.close();
  });
  after(async function () {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    for (const handler of handlers) await handler.close();
    await support?.cleanup();
  });

  it('serves one tracker from createTrackerHandler in a plain http server', async function () {
    const handler = await createTrackerHandler(support.home, { basePath: '/support/' });
    const server = createServer(handler);
    servers.push(server);
    const port = await listen(server);
    assert.equal((await send(port, '/support/')).status, 200);
    assert.equal((await send(port, '/elsewhere/')).status, 404);
  });

  it('rejects a home that is not a tracker, with a RupError', async function () {
    await assert.rejects(createTrackerHandler('/nonexistent/home'), (err: unknown) => err instanceof RupError && err.code === 'RUP_ERR_TRACKER');
  });

  it('mounts createServerHandler inside a Koa app under a path', async function () {
    const trackers = createServerHandler({ trackers: { support: support.home }, basePath: '/trackers/' });
    handlers.push(trackers);
    const app = new Koa();
    app.use(async (ctx, next) => {
      if (ctx.path !== '/trackers' && !ctx.path.startsWith('/trackers/')) return next();
      ctx.respond = false;
      trackers(ctx.req, ctx.res);
    });
    app.use((ctx) => {
      ctx.body = 'the host app';
    });
    const server = createServer(app.callback());
    servers.push(server);
    const port = await listen(server);
    assert.equal((await send(port, '/')).body, 'the host app');
    const index = await send(port, '/trackers');
    assert.equal(index.status, 302);
    assert.equal(index.headers.location, '/trackers/support/index');
    assert.equal((await send(port, '/trackers/support/issue')).status, 200);
    assert.equal((await send(port, '/trackers/nosuch/')).status, 404);
  });
});
