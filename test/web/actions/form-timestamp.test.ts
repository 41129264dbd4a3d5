import assert from 'node:assert/strict';
import { packTimestamp, timestampProblem, unpackTimestamp } from '../../../lib/web/actions/form-timestamp.js';

describe('registration form timestamp (opaqueregister)', () => {
  it('packs seconds as Roundup does: base64 of a little-endian 32-bit integer', () => {
    // Python: base64.b64encode(struct.pack("i", 1795269458)) == b'UqMBaw=='
    assert.equal(packTimestamp(1795269458.9), 'UqMBaw==');
    assert.equal(unpackTimestamp('UqMBaw=='), 1795269458);
  });

  it('refuses values that are not exactly four base64-encoded bytes', () => {
    for (const bad of ['zzz', 'xyzzyzl=', '', 'UqMBaw', 'UqMBaw==UqMBaw==', '!!!!!!==']) assert.equal(unpackTimestamp(bad), null, bad);
  });

  it('timestampProblem gives Roundup\'s three messages and null for an old enough form', () => {
    const now = 1795269458;
    assert.equal(timestampProblem(undefined, 'opaqueregister', 4, now), 'Form is corrupted, missing: opaqueregister.');
    assert.equal(timestampProblem('zzz', 'opaqueregister', 4, now), 'Form is corrupted.');
    assert.equal(timestampProblem(packTimestamp(now - 3), 'opaqueregister', 4, now), 'Responding to form too quickly.');
    assert.equal(timestampProblem(packTimestamp(now - 4), 'opaqueregister', 4, now), null);
  });
});
