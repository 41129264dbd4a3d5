import assert from 'node:assert/strict';
import { INLINE_TYPES, contentDisposition, requestedRange, servedType } from '../../lib/web/download.js';

describe('web downloads (type allow-list, disposition, ranges)', () => {
  it('serves allow-listed types as they are and everything else as application/octet-stream', () => {
    for (const type of INLINE_TYPES) assert.equal(servedType(type, false), type);
    assert.equal(servedType(null, false), 'text/plain');
    assert.equal(servedType('', false), 'text/plain');
    assert.equal(servedType('Image/PNG', false), 'image/png');
    assert.equal(servedType('text/html', false), 'application/octet-stream');
    assert.equal(servedType('text/html', true), 'text/html');
    assert.equal(servedType('application/pdf', true), 'application/octet-stream');
    assert.equal(servedType('application/javascript', false), 'application/octet-stream');
  });

  it('names the file in Content-Disposition, with a UTF-8 form for other characters', () => {
    assert.equal(contentDisposition('inline', 'a.txt'), 'inline; filename="a.txt"');
    assert.equal(contentDisposition('attachment', 'rés"umé.txt'), `attachment; filename="r_s_um_.txt"; filename*=UTF-8''r%C3%A9s%22um%C3%A9.txt`);
  });

  it('reads one byte range as Roundup does', () => {
    const etag = '"1-b-2"';
    assert.equal(requestedRange({}, 11, etag), null);
    assert.deepEqual(requestedRange({ range: 'bytes=0-4' }, 11, etag), { start: 0, end: 4 });
    assert.deepEqual(requestedRange({ range: 'bytes=6-' }, 11, etag), { start: 6, end: 10 });
    assert.equal(requestedRange({ range: 'bytes=-5' }, 11, etag), null);
    assert.equal(requestedRange({ range: 'bytes=0-1,3-4' }, 11, etag), null);
    assert.equal(requestedRange({ range: 'items=0-1' }, 11, etag), null);
    assert.equal(requestedRange({ range: 'bytes=5-2' }, 11, etag), null);
    assert.equal(requestedRange({ range: 'bytes=5-11' }, 11, etag), 'unsatisfiable');
    assert.deepEqual(requestedRange({ range: 'bytes=0-4', 'if-range': etag }, 11, etag), { start: 0, end: 4 });
    assert.equal(requestedRange({ range: 'bytes=0-4', 'if-range': '"other"' }, 11, etag), null);
    assert.equal(requestedRange({ range: 'bytes=0-4', 'if-range': 'Thu, 01 Jan 1970 00:00:00 GMT' }, 11, etag), null);
    assert.equal(requestedRange({ range: 'bytes=5-11', 'if-range': etag }, 11, etag), null);
  });
});
