import assert from 'node:assert/strict';
import {
  FastCgiProtocolError,
  RecordReader,
  RecordType,
  decodeBeginRequest,
  decodePairs,
  encodeEndRequest,
  encodePairs,
  encodeRecord,
  encodeStream,
  encodeUnknownType,
} from '../../../lib/frontends/fastcgi/records.js';

describe('FastCGI records', () => {
  it('encodes a record with its 8-byte header and pads the content to a multiple of 8', () => {
    const record = encodeRecord(RecordType.STDOUT, 0x0102, Buffer.from('abc'));
    assert.deepEqual([...record], [1, 6, 0x01, 0x02, 0, 3, 5, 0, 0x61, 0x62, 0x63, 0, 0, 0, 0, 0]);
  });

  it('reads records however the bytes are split, skipping the padding', () => {
    const bytes = Buffer.concat([
      Buffer.from([1, 4, 0, 1, 0, 2, 6, 0, 0x41, 0x42, 9, 9, 9, 9, 9, 9]),
      Buffer.from([1, 5, 0, 1, 0, 0, 0, 0]),
    ]);
    const reader = new RecordReader();
    const records = [...bytes].flatMap((byte) => reader.push(Buffer.from([byte])));
    assert.deepEqual(
      records.map((r) => [r.type, r.requestId, r.content.toString('latin1')]),
      [
        [RecordType.PARAMS, 1, 'AB'],
        [RecordType.STDIN, 1, ''],
      ],
    );
  });

  it('refuses a record of another protocol version', () => {
    assert.throws(() => new RecordReader().push(Buffer.from([2, 1, 0, 1, 0, 0, 0, 0])), FastCgiProtocolError);
  });

  it('cuts stream data into records of at most 65535 bytes and ends a stream with an empty record', () => {
    const records = encodeStream(RecordType.STDOUT, 1, Buffer.alloc(70000, 0x61));
    const reader = new RecordReader();
    const read = records.flatMap((r) => reader.push(r));
    assert.deepEqual(read.map((r) => r.content.length), [65528, 4472]);
    assert.deepEqual([...encodeStream(RecordType.STDOUT, 1, Buffer.alloc(0))[0]!], [1, 6, 0, 1, 0, 0, 0, 0]);
  });

  it('encodes name-value pairs with 1-byte lengths below 128 and 4-byte lengths from 128 on', () => {
    const long = 'x'.repeat(200);
    const bytes = encodePairs([
      ['A', 'bc'],
      ['LONG', long],
    ]);
    assert.deepEqual([...bytes.subarray(0, 5)], [1, 2, 0x41, 0x62, 0x63]);
    assert.deepEqual([...bytes.subarray(5, 10)], [4, 0x80, 0, 0, 200]);
    assert.deepEqual(decodePairs(bytes), [
      ['A', 'bc'],
      ['LONG', long],
    ]);
  });

  it('reads pair names and values as UTF-8, as a CGI environment is', () => {
    assert.deepEqual(decodePairs(encodePairs([['PATH_INFO', '/support/file1/réseau.txt']])), [['PATH_INFO', '/support/file1/réseau.txt']]);
  });

  it('refuses pairs whose lengths run past the data', () => {
    assert.throws(() => decodePairs(Buffer.from([5, 1, 0x41])), FastCgiProtocolError);
    assert.throws(() => decodePairs(Buffer.from([0x80, 0])), FastCgiProtocolError);
  });

  it('reads BEGIN_REQUEST and writes END_REQUEST and UNKNOWN_TYPE bodies', () => {
    assert.deepEqual(decodeBeginRequest(Buffer.from([0, 1, 1, 0, 0, 0, 0, 0])), { role: 1, flags: 1 });
    assert.throws(() => decodeBeginRequest(Buffer.from([0, 1])), FastCgiProtocolError);
    assert.deepEqual([...encodeEndRequest(7, 258, 3)], [1, 3, 0, 7, 0, 8, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0]);
    assert.deepEqual([...encodeUnknownType(42)], [1, 11, 0, 0, 0, 8, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0]);
  });
});
