import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRupError } from '../../../lib/errors.js';
import { netrcAuthenticators, parseNetrc, readNetrc } from '../../../lib/mail/sources/netrc.js';
import { accountFromSpec } from '../../../lib/mail/sources/credentials.js';

describe('~/.netrc for the network mail sources', () => {
  const text = `# tracker mail
machine pop.example.com login tracker password "pa ss\\"word"
macdef init
cd /tmp
quit

machine imap.example.com:1143
  login imapuser
  password s3cret account ignored
default login anon password anonpw
`;

  it('reads machines, quoted passwords, macros, comments and the default entry as Python netrc does', () => {
    const netrc = parseNetrc(text, '.netrc');
    assert.deepEqual(netrcAuthenticators(netrc, 'pop.example.com'), { login: 'tracker', password: 'pa ss"word', account: '' });
    assert.deepEqual(netrcAuthenticators(netrc, 'imap.example.com:1143'), { login: 'imapuser', password: 's3cret', account: 'ignored' });
    assert.deepEqual(netrcAuthenticators(netrc, 'other.example.com'), { login: 'anon', password: 'anonpw', account: '' });
  });

  it('names the file and line of a malformed entry', () => {
    assert.throws(() => parseNetrc('machine a login x\nfrobnicate y\n', '/home/u/.netrc'), (err: unknown) => isRupError(err, 'RUP_ERR_FORMAT') && err.message === '/home/u/.netrc, line 2: bad follower token "frobnicate"');
  });

  it('refuses a file with passwords that others can read, and reads none when there is no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rup-netrc-'));
    try {
      const file = join(dir, '.netrc');
      assert.equal(readNetrc(file), null);
      writeFileSync(file, 'machine m login u password p\n');
      chmodSync(file, 0o644);
      assert.throws(() => readNetrc(file), /access too permissive/);
      chmodSync(file, 0o600);
      assert.equal(readNetrc(file)?.machines.get('m')?.password, 'p');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the account from netrc for the whole specification, else from user:password@server[:port]', () => {
    const netrc = parseNetrc('machine mail.example.com:995 login n password np\n', '.netrc');
    assert.deepEqual(accountFromSpec('mail.example.com:995', netrc), { user: 'n', password: 'np', host: 'mail.example.com', port: 995 });
    assert.deepEqual(accountFromSpec('u:p:w@x@mail.example.com', netrc), { user: 'u', password: 'p:w@x', host: 'mail.example.com', port: null });
    assert.deepEqual(accountFromSpec('u@[::1]:110', null), { user: 'u', password: null, host: '::1', port: 110 });
    assert.deepEqual(accountFromSpec('fe80::1', null), { user: null, password: null, host: 'fe80::1', port: null });
    assert.equal(accountFromSpec('u:p@host:0', null), null);
    assert.equal(accountFromSpec('u:p@host:pop', null), null);
  });
});
