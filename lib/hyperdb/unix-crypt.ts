/**
 * Unix crypt(3) in plain TypeScript, for Roundup's `{crypt}` password
 * scheme. Roundup hashes with Python's `crypt.crypt(password, salt)`,
 * which calls the C library: new hashes use a random two-character salt,
 * i.e. the traditional DES form, and verifying passes the stored hash as
 * the salt, so any form the C library knows may appear in an imported
 * database. Supported here: traditional DES (13 characters), MD5-crypt
 * (`$1$`), SHA-256-crypt (`$5$`) and SHA-512-crypt (`$6$`). Blowfish
 * (`$2a$`, `$2b$`, `$2y$`) and the other C library extensions are not:
 * {@link unixCrypt} returns undefined for them.
 *
 * Like the C library (libxcrypt), a setting that is no valid salt gives
 * the failure token `*0` (`*1` when the setting itself starts with `*0`),
 * which can never equal a real hash.
 */

import { createHash } from 'node:crypto';

/** The crypt alphabet: value 0 is `.`, 63 is `z`. */
export const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// DES tables, 1-based bit positions as in FIPS 46.
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const FP = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
  36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
];
const PC1_C = [57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36];
const PC1_D = [63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const PC2_C = [14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2];
const PC2_D = [41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32];
const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21, 22, 23,
  24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const S = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
    4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
    0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
    13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
    10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
    4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
    9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
    1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
    7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];

/** The 16 DES round keys (48 bits each, one array entry per bit). */
function desKeySchedule(key: Uint8Array): Uint8Array[] {
  const c = PC1_C.map((p) => key[p - 1]);
  const d = PC1_D.map((p) => key[p - 1]);
  const schedule: Uint8Array[] = [];
  for (const shift of SHIFTS) {
    for (let k = 0; k < shift; k++) {
      c.push(c.shift() as number);
      d.push(d.shift() as number);
    }
    const round = new Uint8Array(48);
    for (let j = 0; j < 24; j++) {
      round[j] = c[PC2_C[j] - 1];
      round[j + 24] = d[PC2_D[j] - 28 - 1];
    }
    schedule.push(round);
  }
  return schedule;
}

/** One DES encryption of `block` (64 bits) in place, with the salted expansion table `e`. */
function desEncrypt(block: Uint8Array, schedule: Uint8Array[], e: number[]): void {
  let left = IP.slice(0, 32).map((p) => block[p - 1]);
  let right = IP.slice(32).map((p) => block[p - 1]);
  const f = new Uint8Array(32);
  for (const key of schedule) {
    const pre = e.map((p, j) => right[p - 1] ^ key[j]);
    for (let j = 0; j < 8; j++) {
      const t = 6 * j;
      const index = (pre[t] << 5) | (pre[t + 5] << 4) | (pre[t + 1] << 3) | (pre[t + 2] << 2) | (pre[t + 3] << 1) | pre[t + 4];
      const k = S[j][index];
      f[4 * j] = (k >> 3) & 1;
      f[4 * j + 1] = (k >> 2) & 1;
      f[4 * j + 2] = (k >> 1) & 1;
      f[4 * j + 3] = k & 1;
    }
    const next = left.map((bit, j) => bit ^ f[P[j] - 1]);
    left = right;
    right = next;
  }
  const preOutput = [...right, ...left];
  for (let j = 0; j < 64; j++) block[j] = preOutput[FP[j] - 1];
}

/** Traditional DES crypt: 2 salt characters + 11 characters of hash. */
function desCrypt(password: Buffer, salt: string): string | undefined {
  const saltValues = [...salt.slice(0, 2)].map((ch) => CRYPT_ALPHABET.indexOf(ch));
  if (saltValues.length < 2 || saltValues.some((v) => v < 0)) return undefined;
  // Only the low 7 bits of the first 8 bytes form the key.
  const key = new Uint8Array(64);
  for (let i = 0; i < Math.min(8, password.length); i++) {
    for (let j = 0; j < 7; j++) key[8 * i + j] = (password[i] >> (6 - j)) & 1;
  }
  const schedule = desKeySchedule(key);
  // The salt swaps pairs of expansion outputs: bit j of salt char i swaps 6i+j and 6i+j+24.
  const e = [...E];
  saltValues.forEach((value, i) => {
    for (let j = 0; j < 6; j++) {
      if ((value >> j) & 1) [e[6 * i + j], e[6 * i + j + 24]] = [e[6 * i + j + 24], e[6 * i + j]];
    }
  });
  const block = new Uint8Array(66);
  for (let i = 0; i < 25; i++) desEncrypt(block, schedule, e);
  let out = salt.slice(0, 2);
  for (let i = 0; i < 11; i++) {
    let c = 0;
    for (let j = 0; j < 6; j++) c = (c << 1) | block[6 * i + j];
    out += CRYPT_ALPHABET[c];
  }
  return out;
}

/** Encode `count` characters of the 24-bit group (b2, b1, b0), low bits first. */
function to64(b2: number, b1: number, b0: number, count: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < count; i++) {
    out += CRYPT_ALPHABET[w & 0x3f];
    w >>>= 6;
  }
  return out;
}

/** MD5-crypt (`$1$salt$hash`), as in FreeBSD and glibc. */
function md5Crypt(password: Buffer, setting: string): string {
  const salt = Buffer.from(setting.slice(3).split('$')[0].slice(0, 8), 'latin1');
  const magic = Buffer.from('$1$');
  const alt = createHash('md5').update(password).update(salt).update(password).digest();
  const ctx = createHash('md5').update(password).update(magic).update(salt);
  for (let left = password.length; left > 0; left -= 16) ctx.update(alt.subarray(0, Math.min(16, left)));
  for (let i = password.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.alloc(1) : password.subarray(0, 1));
  let final = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const round = createHash('md5');
    round.update(i & 1 ? password : final);
    if (i % 3) round.update(salt);
    if (i % 7) round.update(password);
    round.update(i & 1 ? final : password);
    final = round.digest();
  }
  const f = final;
  const hash =
    to64(f[0], f[6], f[12], 4) + to64(f[1], f[7], f[13], 4) + to64(f[2], f[8], f[14], 4) +
    to64(f[3], f[9], f[15], 4) + to64(f[4], f[10], f[5], 4) + to64(0, 0, f[11], 2);
  return `$1$${salt.toString('latin1')}$${hash}`;
}

const SHA256_ORDER = [
  [0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14],
  [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29],
];
const SHA512_ORDER = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48],
  [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13],
  [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
];

/** `source` repeated to `length` bytes. */
function repeatTo(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = source[i % source.length];
  return out;
}

/** SHA-crypt (`$5$` SHA-256, `$6$` SHA-512), Ulrich Drepper's specification. */
function shaCrypt(password: Buffer, setting: string, algorithm: 'sha256' | 'sha512'): string | undefined {
  const prefix = algorithm === 'sha256' ? '$5$' : '$6$';
  let rest = setting.slice(3);
  let rounds = 5000;
  let customRounds = false;
  const roundsSpec = /^rounds=(\d+)\$/u.exec(rest);
  if (roundsSpec) {
    rounds = Math.min(999999999, Math.max(1000, Number(roundsSpec[1])));
    customRounds = true;
    rest = rest.slice(roundsSpec[0].length);
  }
  const salt = Buffer.from(rest.split('$')[0].slice(0, 16), 'latin1');
  const hashLength = algorithm === 'sha256' ? 32 : 64;
  const b = createHash(algorithm).update(password).update(salt).update(password).digest();
  const a = createHash(algorithm).update(password).update(salt);
  let count = password.length;
  for (; count > hashLength; count -= hashLength) a.update(b);
  a.update(b.subarray(0, count));
  for (let i = password.length; i > 0; i >>= 1) a.update(i & 1 ? b : password);
  const digestA = a.digest();
  const dp = createHash(algorithm);
  for (let i = 0; i < password.length; i++) dp.update(password);
  const p = repeatTo(dp.digest(), password.length);
  const ds = createHash(algorithm);
  for (let i = 0; i < 16 + digestA[0]; i++) ds.update(salt);
  const s = repeatTo(ds.digest(), salt.length);
  let c = digestA;
  for (let r = 0; r < rounds; r++) {
    const round = createHash(algorithm);
    round.update(r & 1 ? p : c);
    if (r % 3) round.update(s);
    if (r % 7) round.update(p);
    round.update(r & 1 ? c : p);
    c = round.digest();
  }
  let hash = '';
  for (const [x, y, z] of algorithm === 'sha256' ? SHA256_ORDER : SHA512_ORDER) hash += to64(c[x], c[y], c[z], 4);
  hash += algorithm === 'sha256' ? to64(0, c[31], c[30], 3) : to64(0, 0, c[63], 2);
  return `${prefix}${customRounds ? `rounds=${rounds}$` : ''}${salt.toString('latin1')}$${hash}`;
}

/**
 * crypt(3): hash `password` with the method and salt named by `setting`
 * (a bare two-character salt or a whole stored hash, as Python's
 * `crypt.crypt` accepts). Returns the failure token `*0`/`*1` for a
 * setting that is no valid salt, and undefined for a method this module
 * does not implement (`$2b$`, `$y$`, `_` extended DES, ...).
 */
export function unixCrypt(password: string, setting: string): string | undefined {
  const bytes = Buffer.from(password, 'utf8');
  if (setting.startsWith('$1$')) return md5Crypt(bytes, setting);
  if (setting.startsWith('$5$')) return shaCrypt(bytes, setting, 'sha256');
  if (setting.startsWith('$6$')) return shaCrypt(bytes, setting, 'sha512');
  if (setting.startsWith('$') || setting.startsWith('_')) return undefined;
  return desCrypt(bytes, setting) ?? (setting.startsWith('*0') ? '*1' : '*0');
}
