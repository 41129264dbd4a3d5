import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createTerminalIO } from '../../lib/admin/terminal-io.js';

/** Streams standing in for the process's; `tty` makes them look like a terminal to readline. */
function streams(tty: boolean) {
  const input = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (on: boolean) => void };
  const output = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  const errors = new PassThrough();
  if (tty) {
    input.isTTY = true;
    input.setRawMode = () => undefined;
    output.isTTY = true;
    output.columns = 80;
  }
  let written = '';
  output.on('data', (d) => (written += d));
  let errWritten = '';
  errors.on('data', (d) => (errWritten += d));
  const io = createTerminalIO(input as unknown as NodeJS.ReadStream, output as unknown as NodeJS.WriteStream, errors as unknown as NodeJS.WriteStream);
  return { io, input, written: () => written, errWritten: () => errWritten };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('admin terminal IO', () => {
  it('reads piped lines in order, even those sent before they are asked for, then null at end of input', async () => {
    const s = streams(false);
    const first = s.io.prompt('one? ');
    s.input.write('a\nb\nc\n');
    s.input.end();
    assert.equal(await first, 'a');
    await tick();
    assert.equal(await s.io.prompt('two? '), 'b');
    assert.equal(await s.io.prompt('three? ', { secret: true }), 'c');
    assert.equal(await s.io.prompt('four? '), null);
    assert.equal(s.written(), 'one? two? three? four? ');
    assert.equal(s.io.isTTY, false);
    assert.equal(s.io.loadHistory, undefined);
    s.io.close();
  });

  it('writes output and errors to their streams', async () => {
    const s = streams(false);
    s.io.out('to stdout\n');
    s.io.err('to stderr\n');
    await tick();
    assert.equal(s.written(), 'to stdout\n');
    assert.equal(s.errWritten(), 'to stderr\n');
  });

  it('on a terminal, does not echo a secret answer nor keep it in the history', async () => {
    const s = streams(true);
    s.io.loadHistory!(['list user']);
    const answer = s.io.prompt('Password: ', { secret: true });
    await tick();
    s.input.write('hunter2\r');
    assert.equal(await answer, 'hunter2');
    assert.ok(s.written().includes('Password: '));
    assert.equal(s.written().includes('hunter2'), false);
    // The up arrow brings back the last command, not the password.
    const command = s.io.prompt('roundup> ');
    await tick();
    s.input.write('\x1b[A\r');
    assert.equal(await command, 'list user');
    s.io.close();
    assert.equal(await s.io.prompt('after close? '), null);
  });

  it('on a terminal, recalls loaded history with the up arrow and pre-fills the edit buffer', async () => {
    const s = streams(true);
    s.io.loadHistory!(['get title issue1', 'list user']);
    const recalled = s.io.prompt('roundup> ');
    await tick();
    s.input.write('\x1b[A\r');
    assert.equal(await recalled, 'list user');
    s.io.presetInput!('display ');
    const edited = s.io.prompt('roundup> ');
    await tick();
    s.input.write('issue1\r');
    assert.equal(await edited, 'display issue1');
    s.io.close();
  });
});
