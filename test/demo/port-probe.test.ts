import assert from 'node:assert/strict';
import { DEFAULT_DEMO_PORT, portInUse, probeFreePort } from '../../lib/demo/port-probe.js';
import { freePort, occupy, portOf, release } from './demo-fixtures.js';

describe('demo port probing', () => {
  it('portInUse tells a listening port from a closed one', async () => {
    const server = (await occupy(0))!;
    try {
      assert.equal(await portInUse('127.0.0.1', portOf(server)), true);
    } finally {
      await release(server);
    }
    assert.equal(await portInUse('127.0.0.1', await freePort()), false);
  });

  it('steps by 100 past ports in use and reports each try as Roundup prints it', async () => {
    const first = (await occupy(0))!;
    const start = portOf(first);
    // The next step may be taken by someone else already; either way it counts as in use.
    const second = start + 100 <= 65535 ? await occupy(start + 100) : null;
    const lines: string[] = [];
    try {
      const port = await probeFreePort('127.0.0.1', start, (line) => lines.push(line));
      assert.ok(port >= start + 200 && (port - start) % 100 === 0, String(port));
      assert.equal(await portInUse('127.0.0.1', port), false);
      assert.equal(lines[0], `Trying to set up web server on port ${start} ... already in use.`);
      assert.equal(lines[1], `Trying to set up web server on port ${start + 100} ... already in use.`);
      assert.equal(lines[lines.length - 1], `Trying to set up web server on port ${port} ... should be ok.`);
    } finally {
      await release(first);
      await release(second);
    }
  });

  it('starts at 8917 and moves on when 8917 is taken', async () => {
    const taken = await occupy(DEFAULT_DEMO_PORT);
    const lines: string[] = [];
    try {
      const port = await probeFreePort('127.0.0.1', undefined, (line) => lines.push(line));
      assert.equal(lines[0], 'Trying to set up web server on port 8917 ... already in use.');
      assert.ok(port > 8917 && (port - 8917) % 100 === 0, String(port));
    } finally {
      await release(taken);
    }
  });
});
