import assert from 'node:assert/strict';
import { unixCrypt } from '../../lib/hyperdb/unix-crypt.js';

// Expected values are the output of glibc's crypt(3) (libxcrypt) through Python's crypt module.
const GLIBC: [string, string, string][] = [
  ['sekrit', 'ab', 'abfbSiOREpOPQ'],
  ['', '..', '..X8NBuQ4l6uQ'],
  ['password12345', 'zZ', 'zZDDIZ0NOlPzw'],
  ['ümlaut', 'x.', 'x.N0/o1xW/jaU'],
  ['a', '//', '//jj6PAszCxzw'],
  ['password', '$1$saltsalt', '$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/'],
  ['sekrit', '$1$ab$', '$1$ab$d5rzGZ1XkYN9vZKyZwQpp/'],
  ['', '$1$x', '$1$x$fwjfZtMwarkdetsjiQreU1'],
  ['a much longer password than sixteen bytes', '$1$12345678', '$1$12345678$yLppq.aqtfjKiej5RWDLq/'],
  ['password', '$5$rounds=5000$saltstring', '$5$rounds=5000$saltstring$OH4IDuTlsuTYPdED1gsuiRMyTAwNlRWyA6Xr3I4/dQ5'],
  ['sekrit', '$5$saltsalt', '$5$saltsalt$7T6BJcaQUuy0u2qRZHD2SQutTC2yR0S8qSuK7VIaJb0'],
  [
    'password',
    '$6$saltstring',
    '$6$saltstring$adDbXsJjcDlq2662QPgd.tkSOVmnG9Tt3oXl4HR60SusC3AGjirnDenVZp3DGwLwqy6iYKCzannhaX9DR72nN1',
  ],
  [
    'x'.repeat(70),
    '$6$rounds=1000$abcdefghijklmnopqrst',
    '$6$rounds=1000$abcdefghijklmnop$vh2FNPp1.84M4F72lNDbO65WzUGIo9uKYDgAodwWi0mLA5TsnzWz8BFCmIUh3cuF2y8WESJLMNlhPY205tE7T0',
  ],
  ['', '$6$s', '$6$s$.ZBEl9liET9mKM6jGxl//vp8wOnIJwfkp.7sG2Ahu2q68bf4LasDRE6k5T5NPzLqBFx3oUbMl6xWpBsFfgm6..'],
];

describe('hyperdb/unix-crypt', () => {
  for (const [password, setting, expected] of GLIBC) {
    it(`matches glibc for ${JSON.stringify(password.slice(0, 12))} with setting ${setting}`, () => {
      assert.equal(unixCrypt(password, setting), expected);
    });
  }

  it('verifies by passing the stored hash as the setting, as Python crypt.crypt does', () => {
    assert.equal(unixCrypt('sekrit', 'abfbSiOREpOPQ'), 'abfbSiOREpOPQ');
    assert.equal(unixCrypt('sekrit', '$1$ab$d5rzGZ1XkYN9vZKyZwQpp/'), '$1$ab$d5rzGZ1XkYN9vZKyZwQpp/');
  });

  it('uses only the first 8 characters of a password in the DES form', () => {
    assert.equal(unixCrypt('password-and-more', 'ab'), unixCrypt('password', 'ab'));
  });

  it('returns the failure token for a salt outside the crypt alphabet, as libxcrypt does', () => {
    assert.equal(unixCrypt('x', '!!'), '*0');
    assert.equal(unixCrypt('x', 'a'), '*0');
    assert.equal(unixCrypt('x', '*0'), '*1');
  });

  it('returns undefined for methods it does not implement (bcrypt, yescrypt, extended DES)', () => {
    assert.equal(unixCrypt('x', '$2b$04$abcdefghijklmnopqrstuu'), undefined);
    assert.equal(unixCrypt('x', '$y$j9T$abc'), undefined);
    assert.equal(unixCrypt('x', '_J9..abcd'), undefined);
  });
});
