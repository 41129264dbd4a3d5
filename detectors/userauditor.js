// Checks user properties before they are stored:
// - the username uses only letters, digits and _ @ ! % . + -
// - each address (primary, and each line of alternate_addresses) is
//   syntactically valid and not used by another user
// - the roles named exist
// - the time zone is a known zone name or an hour offset in [-23, 23]

// The "99.99% solution for syntax only" of regular-expressions.info, as Roundup uses.
const LOCAL = "[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*";
const DOMAIN = '(localhost|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9]))';
const EMAIL_FULL = new RegExp(`^${LOCAL}@${DOMAIN}$`, 'i');
const EMAIL_LOCAL = new RegExp(`^${LOCAL}$`, 'i');
const VALID_USERNAME = /^[a-z0-9_@!%.+-]+$/i;

function validAddress(address) {
  return address.includes('@') ? EMAIL_FULL.test(address) : EMAIL_LOCAL.test(address);
}

function addresses(newvalues) {
  const out = [];
  if (newvalues.address) out.push(newvalues.address);
  if (newvalues.alternate_addresses) {
    for (const line of String(newvalues.alternate_addresses).split('\n')) if (line.trim()) out.push(line.trim());
  }
  return out;
}

async function auditUserFields(db, cl, nodeid, newvalues, { Reject, isValidTimezone }) {
  if ('username' in newvalues && newvalues.username !== null && !VALID_USERNAME.test(newvalues.username)) {
    throw new Reject('Username/Login Name must consist only of the letters a-z (any case), digits 0-9 and the symbols: @._-!+%');
  }
  for (const address of addresses(newvalues)) {
    if (!validAddress(address)) throw new Reject(`Email address syntax is invalid "${address}"`);
    const lower = address.toLowerCase();
    const owners = (await db.user.stringFind({ address })).filter((id) => id !== nodeid);
    // The alternate-address filter is a substring search; keep only whole-line matches.
    for (const id of await db.user.filter(null, { alternate_addresses: address })) {
      if (id === nodeid) continue;
      const alternates = String((await db.user.get(id, 'alternate_addresses')) ?? '').split('\n');
      if (alternates.some((a) => a.trim().toLowerCase() === lower)) owners.push(id);
    }
    if (owners.length) throw new Reject(`Email address ${address} already in use`);
  }
  if (newvalues.roles) {
    for (const role of String(newvalues.roles).split(',').map((r) => r.trim().toLowerCase())) {
      if (role && !db.security.getRole(role)) throw new Reject(`Role "${role}" does not exist`);
    }
  }
  const tz = newvalues.timezone;
  if (tz) {
    if (/^[-+]?\d+$/.test(String(tz).trim())) {
      if (!isValidTimezone(tz)) throw new Reject(`Timezone "${tz}" exceeds valid range [-23...23]`);
    } else if (!isValidTimezone(tz)) {
      throw new Reject(`Timezone "${tz}" does not exist`);
    }
  }
}

export function init(db, toolkit) {
  const audit = (db, cl, nodeid, newvalues) => auditUserFields(db, cl, nodeid, newvalues, toolkit);
  // fire before changes are made
  db.user.audit('set', audit);
  db.user.audit('create', audit);
}
