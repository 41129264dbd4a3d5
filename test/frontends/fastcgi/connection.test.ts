import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FastCgiConnection } from '../../../lib/frontends/fastcgi/connection.js';
import { ProtocolStatus, RecordType, Role, encodePairs, encodeRecord } from '../../../lib/frontends/fastcgi/records.js';
import { requestFromCgi } from '../../../lib/frontends/cgi-request.js';
import { InProcessHttp } from '../../../lib/frontends/in-process-http.js';
import type { ServerLogger } from '../../../lib/server/server-logger.js';
import { FastCgiTestClient, parseCgiResponse } from '../support/fastcgi-client.js';

/**
 * The FastCGI connection handling over a real Unix socket, with the
 * requests answered through the in-process HTTP bridge by a small Node
 * listener that reports what it received (the tracker behind it is
 * covered by the web-server tests).
 */

const GET = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/app', PATH_INFO: '/echo', QUERY_STRING: 'a=1', HTTP_HOST: 'tracker.example', SERVER_PORT: '80' };

describe('FastCGI connection', () => {
  let dir: string;
  let server: Server;
  let path: string;
  const logged: string[] = [];
  const logger: ServerLogger = { error: (m) => logged.push(`error: ${m}`), warn: (m) => logged.push(`warn: ${m}`), info: () => undefined };
  /** Requests the listener holds until the test lets them go (by URL). */
  const held = new Map<string, { res: ServerResponse; closed: Promise<void> }>();

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url?.startsWith('/app/hold')) {
        held.set(req.url, { res, closed: new Promise((resolve) => res.once('close', () => resolve())) });
        return;
      }
      if (req.url?.startsWith('/app/big')) {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        res.end(Buffer.alloc(200_000, 0x62));
        return;
      }
      const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), encrypted: (req.socket as { encrypted?: boolean }).encrypted === true });
      res.writeHead(201, 'Made', { 'Content-Type': 'application/json', 'Set-Cookie': ['a=1', 'b=2'] });
      res.end(body);
    });
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rup-fcgi-'));
    path = join(dir, 'responder.sock');
    const http = new InProcessHttp(listener);
    server = createServer((socket) => {
      new FastCgiConnection(socket, {
        respond: async (variables, stdin, signal) => http.exchange(requestFromCgi(variables), variables, stdin, signal),
        logger,
        maxConnections: 7,
      });
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    logged.length = 0;
    held.clear();
  });

  it('answers a request as a CGI response in STDOUT records, ends it, and closes the connection', async () => {
    const client = await FastCgiTestClient.connect(path);
    client.request(1, GET);
    const answer = await client.answer(1);
    assert.equal(answer.protocolStatus, ProtocolStatus.REQUEST_COMPLETE);
    assert.equal(answer.appStatus, 0);
    const response = parseCgiResponse(answer.stdout);
    assert.equal(response.status, '201 Made');
    assert.equal(response.headers['set-cookie'], 'a=1, b=2');
    assert.equal(response.headers.date, undefined);
    assert.equal(response.headers.connection, undefined);
    const echo = JSON.parse(response.body);
    assert.equal(echo.method, 'GET');
    assert.equal(echo.url, '/app/echo?a=1');
    assert.equal(echo.headers.host, 'tracker.example');
    assert.equal(echo.encrypted, false);
    assert.equal(await client.closedByPeer(), true);
  });

  it('streams a body sent in many STDIN records to the application', async () => {
    const client = await FastCgiTestClient.connect(path);
    const body = Buffer.from('x'.repeat(150_000) + 'end');
    client.request(3, { ...GET, REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(body.length), CONTENT_TYPE: 'text/plain', HTTPS: 'on' }, body);
    const echo = JSON.parse(parseCgiResponse((await client.answer(3)).stdout).body);
    assert.equal(echo.body.length, body.length);
    assert.ok(echo.body.endsWith('end'));
    assert.equal(echo.headers['content-type'], 'text/plain');
    assert.equal(echo.encrypted, true);
    client.close();
  });

  it('sends a large answer in records of at most 65535 bytes', async () => {
    const client = await FastCgiTestClient.connect(path);
    client.request(1, { ...GET, PATH_INFO: '/big' });
    const response = parseCgiResponse((await client.answer(1)).stdout);
    assert.equal(response.body.length, 200_000);
    client.close();
  });

  it('serves requests one after another on a connection kept open (FCGI_KEEP_CONN)', async () => {
    const client = await FastCgiTestClient.connect(path);
    client.request(1, GET, Buffer.alloc(0), true);
    assert.equal(parseCgiResponse((await client.answer(1)).stdout).status, '201 Made');
    client.request(2, { ...GET, QUERY_STRING: 'b=2' }, Buffer.alloc(0), true);
    assert.equal(JSON.parse(parseCgiResponse((await client.answer(2)).stdout).body).url, '/app/echo?b=2');
    client.close();
  });

  it('refuses a second request on the connection while one is running (CANT_MPX_CONN)', async () => {
    const client = await FastCgiTestClient.connect(path);
    client.request(1, { ...GET, PATH_INFO: '/hold/mpx' }, Buffer.alloc(0), true);
    while (!held.has('/app/hold/mpx?a=1')) await new Promise((resolve) => setTimeout(resolve, 5));
    client.request(2, GET, Buffer.alloc(0), true);
    const refused = await client.answer(2);
    assert.equal(refused.protocolStatus, ProtocolStatus.CANT_MPX_CONN);
    assert.equal(refused.stdout.length, 0);
    held.get('/app/hold/mpx?a=1')!.res.end('done');
    assert.equal(parseCgiResponse((await client.answer(1)).stdout).body, 'done');
    client.close();
  });

  it('refuses the Authorizer and Filter roles (UNKNOWN_ROLE)', async () => {
    const client = await FastCgiTestClient.connect(path);
    client.begin(1, { role: Role.AUTHORIZER, keepConnection: true });
    assert.equal((await client.answer(1)).protocolStatus, ProtocolStatus.UNKNOWN_ROLE);
    client.begin(2, { role: Role.FILTER });
    assert.equal((await client.answer(2)).protocolStatus, ProtocolStatus.UNKNOWN_ROLE);
    assert.equal(await client.closedByPeer(), true);
  });

  it('stops the request when the web server aborts it (ABORT_REQUEST)', async () => {
    const client = await FastCgiTestClient.connect(path);
    client.request(1, { ...GET, PATH_INFO: '/hold/abort' }, Buffer.alloc(0), true);
    while (!held.has('/app/hold/abort?a=1')) await new Promise((resolve) => setTimeout(resolve, 5));
    client.write(encodeRecord(RecordType.ABORT_REQUEST, 1));
    const answer = await client.answer(1);
    assert.equal(answer.appStatus, 1);
    assert.equal(answer.stdout.length, 0);
    await held.get('/app/hold/abort?a=1')!.closed;
    client.close();
  });

  it('stops the request when the web server closes the connection', async () => {
    const client = await FastCgiTestClient.connect(path);
    client.request(1, { ...GET, PATH_INFO: '/hold/gone' });
    while (!held.has('/app/hold/gone?a=1')) await new Promise((resolve) => setTimeout(resolve, 5));
    client.close();
    await held.get('/app/hold/gone?a=1')!.closed;
  });

  it('answers FCGI_GET_VALUES: no multiplexing, the connection limit, unknown names left out', async () => {
    const client = await FastCgiTestClient.connect(path);
    const asked = encodePairs([
      ['FCGI_MPXS_CONNS', ''],
      ['FCGI_MAX_CONNS', ''],
      ['FCGI_SOMETHING', ''],
    ]);
    client.write(encodeRecord(RecordType.GET_VALUES, 0, asked));
    const record = await client.nextRecord();
    assert.equal(record.type, RecordType.GET_VALUES_RESULT);
    assert.deepEqual(record.content.subarray(0, record.content.length), encodePairs([
      ['FCGI_MPXS_CONNS', '0'],
      ['FCGI_MAX_CONNS', '7'],
    ]));
    client.write(encodeRecord(99, 0));
    const unknown = await client.nextRecord();
    assert.equal(unknown.type, RecordType.UNKNOWN_TYPE);
    assert.equal(unknown.content[0], 99);
    client.close();
  });

  it('answers 400 to a request without REQUEST_METHOD', async () => {
    const client = await FastCgiTestClient.connect(path);
    client.request(1, { SCRIPT_NAME: '/app' });
    const response = parseCgiResponse((await client.answer(1)).stdout);
    assert.equal(response.status, '400 Bad Request');
    assert.match(response.body, /REQUEST_METHOD is not set/);
    client.close();
  });

  it('closes the connection on bytes that are not FastCGI, and logs why', async () => {
    const client = await FastCgiTestClient.connect(path);
    client.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.equal(await client.closedByPeer(), true);
    assert.deepEqual(logged, ['error: FastCGI: unsupported FastCGI version 71; closing the connection']);
  });
});
