import assert from 'node:assert/strict';
import { parseTrackerPath } from '../../lib/web/url-scheme.js';

const NO_APIS = { rest: false, xmlrpc: false };

describe('web/url-scheme: Roundup URLs after the tracker base', () => {
  it('names the home page for the empty path, home and index (and anything below them)', () => {
    for (const path of ['', 'home', 'index', 'home/whatever']) {
      assert.deepEqual(parseTrackerPath(path, NO_APIS), { kind: 'page', classname: null, itemid: null }, path);
    }
  });

  it('names a class index by its class name', () => {
    assert.deepEqual(parseTrackerPath('issue', NO_APIS), { kind: 'page', classname: 'issue', itemid: null });
    assert.deepEqual(parseTrackerPath('a1b', NO_APIS), { kind: 'page', classname: 'a1b', itemid: null });
  });

  it('names an item by its designator, dropping leading zeros of the id', () => {
    assert.deepEqual(parseTrackerPath('issue42', NO_APIS), { kind: 'page', classname: 'issue', itemid: '42' });
    assert.deepEqual(parseTrackerPath('issue007', NO_APIS), { kind: 'page', classname: 'issue', itemid: '7' });
    assert.deepEqual(parseTrackerPath('issue0', NO_APIS), { kind: 'page', classname: 'issue', itemid: '0' });
    assert.deepEqual(parseTrackerPath('a1b2', NO_APIS), { kind: 'page', classname: 'a1b', itemid: '2' });
  });

  it('treats ids above 2^31 as unknown items, as Roundup does before asking the database', () => {
    assert.equal(parseTrackerPath('issue2147483648', NO_APIS).kind, 'page');
    assert.deepEqual(parseTrackerPath('issue2147483649', NO_APIS), { kind: 'not-found', what: 'issue2147483649' });
    assert.deepEqual(parseTrackerPath('file99999999999/x.txt', NO_APIS), { kind: 'not-found', what: 'file99999999999/x.txt' });
  });

  it('names a download by a designator followed by the file name (decoded)', () => {
    assert.deepEqual(parseTrackerPath('file12/name.txt', NO_APIS), { kind: 'download', classname: 'file', itemid: '12', filename: 'name.txt' });
    assert.deepEqual(parseTrackerPath('msg11/', NO_APIS), { kind: 'download', classname: 'msg', itemid: '11', filename: '' });
    assert.deepEqual(parseTrackerPath('file3/a%20b/c.txt', NO_APIS), { kind: 'download', classname: 'file', itemid: '3', filename: 'a b/c.txt' });
  });

  it('refuses a class followed by a path, and names that are not class names', () => {
    assert.deepEqual(parseTrackerPath('issue/', NO_APIS), { kind: 'not-found', what: 'issue/' });
    assert.deepEqual(parseTrackerPath('issue/x', NO_APIS), { kind: 'not-found', what: 'issue/x' });
    assert.deepEqual(parseTrackerPath('1issue', NO_APIS), { kind: 'not-found', what: '1issue' });
    assert.deepEqual(parseTrackerPath('is-sue', NO_APIS), { kind: 'not-found', what: 'is-sue' });
    assert.deepEqual(parseTrackerPath('%E0%A4%A', NO_APIS), { kind: 'not-found', what: '%E0%A4%A' });
  });

  it('names static files under @@file/ and _file/ with the rest of the path still encoded', () => {
    assert.deepEqual(parseTrackerPath('@@file/style.css', NO_APIS), { kind: 'static', segments: ['style.css'] });
    assert.deepEqual(parseTrackerPath('_file/img/logo.png', NO_APIS), { kind: 'static', segments: ['img', 'logo.png'] });
    assert.deepEqual(parseTrackerPath('%40%40file/%2e%2e/config.ini', NO_APIS), { kind: 'static', segments: ['%2e%2e', 'config.ini'] });
  });

  it('routes rest and xmlrpc to the APIs only when they are enabled; otherwise they are class names', () => {
    const apis = { rest: true, xmlrpc: true };
    assert.deepEqual(parseTrackerPath('rest', apis), { kind: 'api', api: 'rest', path: 'rest' });
    assert.deepEqual(parseTrackerPath('rest/data/issue', apis), { kind: 'api', api: 'rest', path: 'rest/data/issue' });
    assert.deepEqual(parseTrackerPath('xmlrpc', apis), { kind: 'api', api: 'xmlrpc', path: 'xmlrpc' });
    assert.deepEqual(parseTrackerPath('rest', NO_APIS), { kind: 'page', classname: 'rest', itemid: null });
    assert.deepEqual(parseTrackerPath('xmlrpc', NO_APIS), { kind: 'page', classname: 'xmlrpc', itemid: null });
  });
});
