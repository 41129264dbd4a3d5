import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRupError } from '../../lib/errors.js';
import {
  DEFAULT_SCHEME,
  DEPRECATED_SCHEMES,
  KNOWN_SCHEMES,
  generatePassword,
  h64decode,
  h64encode,
  hashPassword,
  isEncodedPassword,
  journalPasswordText,
  needsMigration,
  parseStoredPassword,
  verifyPassword,
} from '../../lib/hyperdb/password.js';
import { sharedFixtures } from '../support/paths.js';

/** Rejects with RUP_ERR_VALUE and exactly `message`. */
async function rejectsValue(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => isRupError(err, 'RUP_ERR_VALUE') && err.message === message);
}

function throwsValue(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => isRupError(err, 'RUP_ERR_VALUE') && err.message === message);
}

/** Usernames and stored passwords of the Roundup 2.6 export fixture. */
function fixtureUsers(): Map<string, string> {
  const csv = readFileSync(join(sharedFixtures, 'roundup-classic-export', 'user.csv'), 'utf8');
  const users = new Map<string, string>();
  for (const line of csv.split('\n')) {
    const hash = /'(\{PBKDF2S5\}[^']+)'/u.exec(line);
    const name = /'([a-z]+)':(?:True|False)$/u.exec(line);
    if (hash && name) users.set(name[1], hash[1]);
  }
  return users;
}

// Made with Python's hashlib/crypt following Roundup's password.py (salt bytes 0..19).
const PBKDF2S5_1000 =
  '{PBKDF2S5}1000$AAECAwQFBgcICQoLDA0ODxAREhM$rPkzh0WeLXuONDyFoNrGq19uwU/0lpG1pNzGPN8R1pZRYsbwW9VxqyRfGQ18iJg9/ZmIhf9k.Xe.QzAnpZgVxw';
const PBKDF2S5_UNICODE =
  '{PBKDF2S5}1000$AAECAwQFBgcICQoLDA0ODxAREhM$1y7SdBTK9ZkGQl5Ad3seD87iO9B8U4kvzYE1dLBbbZDkUh244yJQmnXyF8dFCQ/HiCGrWh0CZFktcuRp.c5ypg';
// The PBKDF2 (SHA1) vector from Roundup's own password.py self-test.
const ROUNDUP_PBKDF2 = '{PBKDF2}5000$7BvbBq.EZzz/O0HuwX3iP.nAG3s$g3oPnFFaga2BJaX5PoPRljl4XIE';

describe('hyperdb/password', () => {
  describe('hashes made by Python Roundup 2.6', () => {
    const passwords: Record<string, string> = {
      admin: 'admin-pw',
      alice: 'alice-pw',
      bob: 'bob-pw',
      carol: 'carol-pw',
      dave: 'dave-pw',
    };

    it('verifies every PBKDF2S5 hash of the classic export fixture with its documented password', async () => {
      const users = fixtureUsers();
      assert.deepEqual([...users.keys()].sort(), Object.keys(passwords).sort());
      for (const [name, stored] of users) {
        assert.deepEqual(await verifyPassword(stored, passwords[name]), { ok: true, needsMigration: false }, name);
      }
    });

    it('rejects a wrong password for a fixture user', async () => {
      const stored = fixtureUsers().get('alice') as string;
      assert.deepEqual(await verifyPassword(stored, 'bob-pw'), { ok: false, needsMigration: false });
    });

    it('flags a fixture hash for migration when more rounds are configured', async () => {
      const stored = fixtureUsers().get('bob') as string;
      assert.deepEqual(await verifyPassword(stored, 'bob-pw', { rounds: 300000 }), { ok: true, needsMigration: true });
    });

    it("verifies Roundup's own PBKDF2 (SHA1) test vector and flags it as deprecated", async () => {
      assert.deepEqual(await verifyPassword(ROUNDUP_PBKDF2, 'sekrit'), { ok: true, needsMigration: true });
      assert.deepEqual(await verifyPassword(ROUNDUP_PBKDF2, 'not sekrit'), { ok: false, needsMigration: false });
    });
  });

  describe('legacy schemes', () => {
    const legacy: [string, string][] = [
      ['SSHA', '{SSHA}UN/56K8TZDiI7JffYILhOU9CEtUAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYn'],
      ['SHA', '{SHA}23b74494475f5f874980b7676d511e23d886da64'],
      ['MD5', '{MD5}ccbc53f4464604e714f69dd11138d8b5'],
      ['crypt (DES)', '{crypt}abfbSiOREpOPQ'],
      ['crypt (MD5-crypt)', '{crypt}$1$ab$d5rzGZ1XkYN9vZKyZwQpp/'],
      ['crypt (SHA-256-crypt)', '{crypt}$5$saltsalt$7T6BJcaQUuy0u2qRZHD2SQutTC2yR0S8qSuK7VIaJb0'],
      ['plaintext', '{plaintext}sekrit'],
    ];
    const plain: Record<string, string> = { SHA: 'pässword' };

    for (const [label, stored] of legacy) {
      it(`verifies a ${label} hash and flags it for migration`, async () => {
        const password = plain[label] ?? 'sekrit';
        assert.deepEqual(await verifyPassword(stored, password), { ok: true, needsMigration: true });
        assert.deepEqual(await verifyPassword(stored, `${password}x`), { ok: false, needsMigration: false });
      });
    }

    it('verifies a PBKDF2S5 hash with few rounds, flagged unless those rounds are configured', async () => {
      assert.deepEqual(await verifyPassword(PBKDF2S5_1000, 'sekrit'), { ok: true, needsMigration: true });
      assert.deepEqual(await verifyPassword(PBKDF2S5_1000, 'sekrit', { rounds: 1000 }), { ok: true, needsMigration: false });
    });

    it('hashes passwords as UTF-8 like Roundup', async () => {
      assert.equal((await verifyPassword(PBKDF2S5_UNICODE, 'Øst€r', { rounds: 1000 })).ok, true);
    });

    it('treats a stored value without {SCHEME} as a legacy plaintext password', async () => {
      assert.deepEqual(await verifyPassword('sekrit', 'sekrit'), { ok: true, needsMigration: true });
      assert.deepEqual(await verifyPassword('sekrit', 'other'), { ok: false, needsMigration: false });
    });

    it('never matches a crypt hash whose salt is not valid, like the C library', async () => {
      assert.deepEqual(await verifyPassword('{crypt}!!', 'x'), { ok: false, needsMigration: false });
    });
  });

  describe('hashPassword', () => {
    it('makes PBKDF2S5 hashes with the default 250000 rounds, a 20-byte salt and a 64-byte digest', async () => {
      const stored = await hashPassword('sekrit');
      const m = /^\{PBKDF2S5\}250000\$([A-Za-z0-9./]+)\$([A-Za-z0-9./]+)$/u.exec(stored);
      assert.ok(m, stored);
      assert.equal(h64decode(m[1]).length, 20);
      assert.equal(h64decode(m[2]).length, 64);
      assert.deepEqual(await verifyPassword(stored, 'sekrit'), { ok: true, needsMigration: false });
    });

    it('uses the configured number of rounds and a fresh salt each time', async () => {
      const a = await hashPassword('sekrit', { rounds: 1000 });
      const b = await hashPassword('sekrit', { rounds: 1000 });
      assert.match(a, /^\{PBKDF2S5\}1000\$/u);
      assert.notEqual(a, b);
      assert.deepEqual(await verifyPassword(a, 'sekrit', { rounds: 1000 }), { ok: true, needsMigration: false });
    });

    it('makes PBKDF2 (SHA1) hashes with a 20-byte digest', async () => {
      const stored = await hashPassword('sekrit', { scheme: 'PBKDF2', rounds: 1000 });
      const digest = stored.split('$')[2];
      assert.equal(h64decode(digest).length, 20);
      assert.deepEqual(await verifyPassword(stored, 'sekrit', { rounds: 1000 }), { ok: true, needsMigration: true });
    });

    it('makes SSHA hashes with a salt of 36 to 51 bytes', async () => {
      for (let i = 0; i < 20; i++) {
        const stored = await hashPassword('sekrit', { scheme: 'SSHA' });
        const saltLength = Buffer.from(parseStoredPassword(stored).encoded, 'base64').length - 20;
        assert.ok(saltLength >= 36 && saltLength < 52, String(saltLength));
        assert.equal((await verifyPassword(stored, 'sekrit')).ok, true);
      }
    });

    it('makes SHA, MD5, plaintext and DES crypt hashes that verify', async () => {
      assert.equal(await hashPassword('sekrit', { scheme: 'SHA' }), '{SHA}8d42e738c7adee551324955458b5e2c0b49ee655');
      assert.equal(await hashPassword('sekrit', { scheme: 'MD5' }), '{MD5}ccbc53f4464604e714f69dd11138d8b5');
      assert.equal(await hashPassword('sekrit', { scheme: 'plaintext' }), '{plaintext}sekrit');
      const crypt = await hashPassword('sekrit', { scheme: 'crypt' });
      assert.match(crypt, /^\{crypt\}[./0-9A-Za-z]{13}$/u);
      assert.deepEqual(await verifyPassword(crypt, 'sekrit'), { ok: true, needsMigration: true });
    });

    it('refuses an unknown scheme with Roundup\'s message', async () => {
      await rejectsValue(hashPassword('x', { scheme: 'zot' }), "Unknown encryption scheme 'zot'");
    });

    it('refuses fewer than 1000 PBKDF2 rounds', async () => {
      await rejectsValue(hashPassword('x', { rounds: 999 }), 'invalid PBKDF2 hash (rounds too low)');
    });
  });

  describe('bad stored values', () => {
    it('rejects an unknown scheme', async () => {
      await rejectsValue(verifyPassword('{ZOT}abc', 'x'), "Unknown encryption scheme: 'ZOT'");
    });

    it('rejects a PBKDF2 hash with the wrong number of separators', async () => {
      await rejectsValue(verifyPassword('{PBKDF2S5}1000$abc', 'x'), 'invalid PBKDF2 hash (wrong number of separators)');
    });

    it('rejects zero-padded rounds', async () => {
      await rejectsValue(verifyPassword('{PBKDF2S5}01000$AAAA$BBBB', 'x'), 'invalid PBKDF2 hash (zero-padded rounds)');
    });

    it('rejects rounds that are not a number', async () => {
      await rejectsValue(verifyPassword('{PBKDF2}many$AAAA$BBBB', 'x'), 'invalid PBKDF2 hash (invalid rounds)');
    });

    it('rejects a stored hash with fewer than 1000 rounds', async () => {
      await rejectsValue(verifyPassword('{PBKDF2S5}900$AAAA$BBBB', 'x'), 'invalid PBKDF2 hash (rounds too low)');
    });

    it('rejects a salt whose length no base64 text can have', async () => {
      await rejectsValue(verifyPassword('{PBKDF2S5}1000$AAAAA$BBBB', 'x'), 'Invalid base64 input');
    });

    it('rejects an empty stored value as "Password not set"', async () => {
      await rejectsValue(verifyPassword('', 'x'), 'Password not set');
    });

    it('says which crypt(3) method cannot be verified', async () => {
      await rejectsValue(
        verifyPassword('{crypt}$2b$04$abcdefghijklmnopqrstuuPp7HPfoAs8I2dCQCQ/fW7zEJv8I8C8e', 'x'),
        'Unsupported encryption scheme \'crypt\': crypt(3) method "$2b$" cannot be verified',
      );
    });
  });

  describe('needsMigration', () => {
    it('is true for every deprecated scheme and false for PBKDF2S5 with enough rounds', () => {
      assert.equal(needsMigration('{SHA}23b74494475f5f874980b7676d511e23d886da64'), true);
      assert.equal(needsMigration(ROUNDUP_PBKDF2, { rounds: 1000 }), true);
      assert.equal(needsMigration(PBKDF2S5_1000, { rounds: 1000 }), false);
      assert.equal(needsMigration(PBKDF2S5_1000, { rounds: 1001 }), true);
      assert.equal(needsMigration(PBKDF2S5_1000), true);
    });
  });

  describe('stored form', () => {
    it('lists the schemes default first, as roundup-admin perftest prints them', () => {
      assert.deepEqual([...KNOWN_SCHEMES], ['PBKDF2S5', 'PBKDF2', 'SSHA', 'SHA', 'MD5', 'crypt', 'plaintext']);
      assert.equal(DEFAULT_SCHEME, 'PBKDF2S5');
      assert.deepEqual([...DEPRECATED_SCHEMES], ['PBKDF2', 'SSHA', 'SHA', 'MD5', 'crypt', 'plaintext']);
    });

    it('recognises the {SCHEME}data shape', () => {
      assert.equal(isEncodedPassword('{SHA}abc'), true);
      assert.equal(isEncodedPassword('{ZOT}abc'), true);
      assert.equal(isEncodedPassword('{SHA}'), false);
      assert.equal(isEncodedPassword('sekrit'), false);
    });

    it('splits a stored value into scheme and encoded part', () => {
      assert.deepEqual(parseStoredPassword('{PBKDF2S5}1000$a$b'), { scheme: 'PBKDF2S5', encoded: '1000$a$b' });
      throwsValue(() => parseStoredPassword('{Zot}x'), "Unknown encryption scheme: 'Zot'");
      throwsValue(() => parseStoredPassword('plain'), 'not an encoded password ({SCHEME}data): "plain"');
    });

    it('encodes salts and digests with base64 using "." for "+" and no padding', () => {
      assert.equal(h64encode(Buffer.from([0xfb, 0xef, 0xff])), '..//');
      assert.equal(h64encode(Buffer.from([1, 2])), 'AQI');
      assert.deepEqual([...h64decode('AQI')], [1, 2]);
      assert.deepEqual([...h64decode('..//')], [0xfb, 0xef, 0xff]);
      throwsValue(() => h64decode('AAAAA'), 'Invalid base64 input');
    });

    it('records only the scheme in the journal', () => {
      assert.equal(journalPasswordText('{PBKDF2S5}1000$a$b'), '{PBKDF2S5}*encrypted*');
      assert.equal(journalPasswordText('legacy'), '{PBKDF2S5}*encrypted*');
    });
  });

  describe('generatePassword', () => {
    it('makes 12 letters and digits with at least one digit by default', () => {
      for (let i = 0; i < 50; i++) {
        const pw = generatePassword();
        assert.match(pw, /^[A-Za-z0-9]{12}$/u);
        assert.match(pw, /\d/u);
      }
      assert.equal(generatePassword(20).length, 20);
    });
  });
});
