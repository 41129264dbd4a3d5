// Keeps the issue status meaningful:
// - presetunread: a new issue without a status starts as 'unread';
// - chatty: a new message on an issue that is 'unread', 'resolved',
//   'done-cbb' or has no status moves it to 'chatting', unless the same
//   change sets the status explicitly. With [statusauditor]
//   chatting_requires_two_users = yes (detectors/config.ini), the issue's
//   creator adding to an 'unread' issue leaves it 'unread'.

const TRUE_WORDS = ['yes', 'true', 'on', '1'];

async function lookupOrNull(cl, key) {
  try {
    return await cl.lookup(key);
  } catch {
    return null;
  }
}

async function chatty(db, cl, nodeid, newvalues) {
  const setting = db.config.detectors.STATUSAUDITOR_CHATTING_REQUIRES_TWO_USERS;
  const requiresTwoUsers = TRUE_WORDS.includes(String(setting ?? 'no').trim().toLowerCase());

  // don't fire if there's no new message (ie. chat)
  if (!('messages' in newvalues)) return;
  const current = await cl.get(nodeid, 'messages');
  const incoming = [...(newvalues.messages ?? [])].map(String);
  if (incoming.length === current.length && incoming.every((m) => current.includes(m))) return;

  // get the chatting state ID; no chatting state, ignore all this stuff
  const chattingId = await lookupOrNull(db.status, 'chatting');
  if (chattingId === null) return;

  // see if there's an explicit change in this transaction
  if ('status' in newvalues) return;

  const currentStatus = await cl.get(nodeid, 'status');
  const fromStates = [];
  for (const state of ['unread', 'resolved', 'done-cbb']) {
    const id = await lookupOrNull(db.status, state);
    if (id !== null) fromStates.push(id);
  }
  const unread = await lookupOrNull(db.status, 'unread');

  // The creator adding to their own unread issue is not a chat yet.
  if (currentStatus === unread && requiresTwoUsers && (await cl.get(nodeid, 'creator')) === db.getuid()) return;

  if (currentStatus === null || fromStates.includes(currentStatus)) newvalues.status = chattingId;
}

async function presetunread(db, cl, nodeid, newvalues) {
  if (newvalues.status) return;
  const unreadId = await lookupOrNull(db.status, 'unread');
  if (unreadId !== null) newvalues.status = unreadId;
}

export function init(db) {
  // fire before changes are made
  db.issue.audit('set', chatty);
  db.issue.audit('create', presetunread);
}
