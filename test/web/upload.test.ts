import assert from 'node:assert/strict';
import { type IncomingMessage, type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRupError } from '../../lib/errors.js';
import type { SubmittedForm } from '../../lib/web/form/form-data.js';
import { createTrackerConfig } from '../../lib/tracker/config.js';
import { hasFormBody, readForm } from '../../lib/web/upload.js';

/** Runs readForm on one real request and hands back what it read, or the error. */
async function through(
  body: Buffer | string,
  headers: Record<string, string>,
  options: { query?: string; maxBytes?: number; method?: string } = {},
): Promise<SubmittedForm | Error> {
  let result: SubmittedForm | Error = new Error('no request');
  const server: Server = createServer((req: IncomingMessage, res) => {
    readForm(req, options.query ?? '', { maxBytes: options.maxBytes ?? 0 })
      .then((form) => {
        result = form;
      })
      .catch((err: Error) => {
        result = err;
      })
      .finally(() => res.end('done'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: '/', headers });
      req.on('response', (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return result;
}

function multipart(parts: Array<{ name: string; filename?: string; type?: string; content: string | Buffer }>, boundary = 'b0undary'): { body: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    if (p.type) head += `\r\nContent-Type: ${p.type}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(p.content), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } };
}

describe('web uploads (streaming multipart with a size limit)', () => {
  it('reads query fields first, then body fields and files, repeated names kept in order', async () => {
    const { body, headers } = multipart([
      { name: 'title', content: 'Crash' },
      { name: '@file', filename: 'a.txt', type: 'text/plain', content: 'AAA' },
      { name: '@file', filename: 'b.bin', content: Buffer.from([0, 1, 2, 255]) },
      { name: 'nosy', content: '1' },
      { name: 'nosy', content: '2' },
    ]);
    const form = (await through(body, headers, { query: '@action=new&nosy=3' })) as SubmittedForm;
    assert.deepEqual([...form.fields], [
      ['@action', ['new']],
      ['nosy', ['3', '1', '2']],
      ['title', ['Crash']],
    ]);
    assert.deepEqual(form.files, [
      { field: '@file', filename: 'a.txt', mimetype: 'text/plain', content: Buffer.from('AAA') },
      { field: '@file', filename: 'b.bin', mimetype: 'text/plain', content: Buffer.from([0, 1, 2, 255]) },
    ]);
  });

  it('keeps UTF-8 text and file names, and empty file inputs as nameless files', async () => {
    const { body, headers } = multipart([
      { name: '@note', content: 'Grüße – 日本' },
      { name: '@file', filename: 'résumé.txt', content: 'x' },
      { name: '@file', filename: '', type: 'application/octet-stream', content: '' },
    ]);
    const form = (await through(body, headers)) as SubmittedForm;
    assert.equal(form.get('@note'), 'Grüße – 日本');
    assert.deepEqual(form.files.map((f) => [f.filename, f.content.length]), [
      ['résumé.txt', 1],
      ['', 0],
    ]);
  });

  it('reads urlencoded bodies and keeps long fields whole', async () => {
    const long = 'y'.repeat(2 * 1024 * 1024);
    const form = (await through(new URLSearchParams({ '@note': long, ':action': 'edit' }).toString(), { 'Content-Type': 'application/x-www-form-urlencoded' })) as SubmittedForm;
    assert.equal(form.get('@note')!.length, long.length);
    assert.equal(form.get('@action'), 'edit');
  });

  it('refuses bodies over the limit by their declared length or as they stream', async () => {
    const { body, headers } = multipart([{ name: '@file', filename: 'big.txt', content: 'z'.repeat(5000) }]);
    const declared = await through(body, { ...headers, 'Content-Length': String(body.length) }, { maxBytes: 1000 });
    assert.ok(isRupError(declared, 'RUP_ERR_TOO_LARGE'));
    assert.equal(declared.status, 413);
    assert.equal(declared.message, 'The request is larger than this tracker accepts (1000 bytes). Nothing was stored.');
    const streamed = await through(body, { ...headers, 'Transfer-Encoding': 'chunked' }, { maxBytes: 1000 });
    assert.ok(isRupError(streamed, 'RUP_ERR_TOO_LARGE'));
    const unlimited = (await through(body, headers, { maxBytes: 0 })) as SubmittedForm;
    assert.equal(unlimited.files[0]!.content.length, 5000);
  });

  it('refuses a malformed multipart body with 400', async () => {
    const broken = await through('no boundary here', { 'Content-Type': 'multipart/form-data' });
    assert.ok(isRupError(broken, 'RUP_ERR_VALUE'));
    assert.match(broken.message, /^Malformed form data: /);
  });

  it('reads only the query string of other requests', async () => {
    const form = (await through('{"a":1}', { 'Content-Type': 'application/json' }, { query: '?@template=item' })) as SubmittedForm;
    assert.deepEqual([...form.fields], [['@template', ['item']]]);
    assert.equal(hasFormBody({ headers: { 'content-type': 'Multipart/Form-Data; boundary=x' } } as IncomingMessage), true);
    assert.equal(hasFormBody({ headers: {} } as IncomingMessage), false);
  });

  it('takes its limit from [web] max_upload_size, 25 MiB by default', () => {
    const config = createTrackerConfig('/nonexistent-home');
    assert.equal(config.WEB_MAX_UPLOAD_SIZE, 26214400);
    config.set('web', 'max_upload_size', '0');
    assert.equal(config.WEB_MAX_UPLOAD_SIZE, 0);
  });
});
