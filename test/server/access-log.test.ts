import assert from 'node:assert/strict';
import { formatAccessLine, formatLoggerLine, logDateTime, newTraceId } from '../../lib/server/access-log.js';

describe('server/access-log: the request lines', function () {
  const date = new Date(2026, 10, 7, 9, 5, 3, 42);

  it('formats the date as Python\'s http.server does', function () {
    assert.equal(logDateTime(date), '07/Nov/2026 09:05:03');
  });

  it('writes client, date, request line, status, size (or -) and trace id', function () {
    const record = { client: '10.1.2.3', date, requestLine: 'GET /support/issue1 HTTP/1.1', status: 200, size: 5120, traceId: 'A'.repeat(22) };
    assert.equal(formatAccessLine(record), `10.1.2.3 - - [07/Nov/2026 09:05:03] "GET /support/issue1 HTTP/1.1" 200 5120 ${'A'.repeat(22)}`);
    assert.equal(formatAccessLine({ ...record, status: 304, size: 0 }), `10.1.2.3 - - [07/Nov/2026 09:05:03] "GET /support/issue1 HTTP/1.1" 304 - ${'A'.repeat(22)}`);
    assert.equal(formatLoggerLine(record, date), `2026-11-07 09:05:03,042 ${'A'.repeat(22)} INFO 10.1.2.3 - - [07/Nov/2026 09:05:03] "GET /support/issue1 HTTP/1.1" 200 5120`);
  });

  it('escapes control characters a client sends, so no log line can be forged', function () {
    const record = { client: '10.1.2.3', date, requestLine: 'GET /x\r\n10.0.0.1 - - fake HTTP/1.1', status: 400, size: 0, traceId: 'B'.repeat(22) };
    assert.equal(formatAccessLine(record).split('\n').length, 1);
    assert.ok(formatAccessLine(record).includes('"GET /x\\x0d\\x0a10.0.0.1 - - fake HTTP/1.1"'));
  });

  it('makes a new 22-character trace id per request', function () {
    const a = newTraceId();
    assert.match(a, /^[A-Za-z0-9]{22}$/);
    assert.notEqual(a, newTraceId());
  });
});
