import assert from 'node:assert/strict';
import { RupError } from '../../lib/errors.js';
import { encodePath, requestFromCgi } from '../../lib/frontends/cgi-request.js';

describe('requests from CGI variables', () => {
  it('rebuilds the URL from SCRIPT_NAME, the re-encoded PATH_INFO and the query string', () => {
    const request = requestFromCgi({
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '/cgi-bin/roundup.cgi',
      PATH_INFO: '/support/file3/a b%.txt',
      QUERY_STRING: '@columns=title,id&x=%41',
      HTTP_HOST: 'tracker.example:8080',
    });
    assert.equal(request.target, '/cgi-bin/roundup.cgi/support/file3/a%20b%25.txt?@columns=title,id&x=%41');
    assert.equal(request.scriptName, '/cgi-bin/roundup.cgi');
  });

  it('encodes non-ASCII path characters as UTF-8 bytes', () => {
    assert.equal(encodePath('/support/file1/réseau.txt'), '/support/file1/r%C3%A9seau.txt');
  });

  it('gives "/" when there is neither a script name nor path info', () => {
    assert.equal(requestFromCgi({ REQUEST_METHOD: 'GET' }).target, '/');
  });

  it('turns HTTP_* variables into headers and leaves hop-by-hop ones out', () => {
    const request = requestFromCgi({
      REQUEST_METHOD: 'POST',
      HTTP_HOST: 'h',
      HTTP_X_FORWARDED_FOR: '10.0.0.1',
      HTTP_CONNECTION: 'keep-alive',
      HTTP_TRANSFER_ENCODING: 'chunked',
      HTTP_EXPECT: '100-continue',
      HTTP_CONTENT_LENGTH: '99',
      CONTENT_LENGTH: '12',
      CONTENT_TYPE: 'application/x-www-form-urlencoded',
      HTTP_BAD: 'a\r\nInjected: yes',
    });
    assert.deepEqual(request.headers, [
      ['Host', 'h'],
      ['X-Forwarded-For', '10.0.0.1'],
      ['Content-Type', 'application/x-www-form-urlencoded'],
    ]);
    assert.equal(request.contentLength, 12);
  });

  it('makes a Host header from SERVER_NAME and SERVER_PORT when the client sent none', () => {
    assert.deepEqual(requestFromCgi({ REQUEST_METHOD: 'GET', SERVER_NAME: 'tracker.example', SERVER_PORT: '8080' }).headers, [['Host', 'tracker.example:8080']]);
    assert.deepEqual(requestFromCgi({ REQUEST_METHOD: 'GET', SERVER_NAME: 'tracker.example', SERVER_PORT: '443', HTTPS: 'on' }).headers, [['Host', 'tracker.example']]);
  });

  it('knows the browser used TLS from HTTPS=on or REQUEST_SCHEME=https', () => {
    assert.equal(requestFromCgi({ REQUEST_METHOD: 'GET', HTTPS: 'on' }).https, true);
    assert.equal(requestFromCgi({ REQUEST_METHOD: 'GET', REQUEST_SCHEME: 'https' }).https, true);
    assert.equal(requestFromCgi({ REQUEST_METHOD: 'GET', HTTPS: 'off' }).https, false);
  });

  it('keeps the client and server addresses', () => {
    const request = requestFromCgi({ REQUEST_METHOD: 'GET', REMOTE_ADDR: '192.0.2.7', REMOTE_PORT: '51234', SERVER_ADDR: '127.0.0.1', SERVER_PORT: '80' });
    assert.deepEqual([request.remoteAddress, request.remotePort, request.serverAddress, request.serverPort], ['192.0.2.7', 51234, '127.0.0.1', 80]);
  });

  it('refuses a missing or malformed method and a CONTENT_LENGTH that is not a number', () => {
    assert.throws(() => requestFromCgi({}), (err: unknown) => err instanceof RupError && err.code === 'RUP_ERR_VALUE' && /REQUEST_METHOD is not set/.test(err.message));
    assert.throws(() => requestFromCgi({ REQUEST_METHOD: 'GET /x' }), /is not an HTTP method/);
    assert.throws(() => requestFromCgi({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '-1' }), /CONTENT_LENGTH "-1" is not a number/);
  });
});
