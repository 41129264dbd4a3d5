import assert from 'node:assert/strict';
import { base32 } from '../../lib/util/base32.js';

describe('util/base32', () => {
  it('encodes the RFC 4648 test vectors, without padding', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [input, expected] of vectors) assert.equal(base32(Buffer.from(input)), expected, input);
  });

  it('turns 10 random bytes into 16 characters of the alphabet, as a Message-Id part', () => {
    const bytes = Buffer.from([0xff, 0x00, 0xa5, 0x5a, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]);
    assert.equal(base32(bytes), '74AKKWQSGRLHRGV4');
  });
});
