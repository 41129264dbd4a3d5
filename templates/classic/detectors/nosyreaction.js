// The nosy list of issues, as Roundup's nosyreaction detector keeps it:
//
// - nosyreaction (reactor, on create and set): each message newly added
//   to an issue is mailed to the users on its nosy list who have not had
//   it yet, who are then added to the message's recipients, so nobody
//   gets the same message twice and the msg journal tells who got what.
//   The author gets it only as [nosy] messages_to_author says. Mail that
//   cannot be sent fails the whole change (nothing is stored, the mail
//   gateway asks its MTA to retry), as in Roundup.
// - updatenosy (auditor, on create and set): the assignee, and the author
//   and recipients of new messages, are added to the nosy list, as
//   [nosy] add_author and add_recipients say ('new': only when the issue
//   is created, 'yes': always, 'no': never).

/** The messages added to the issue by this change (all of them on create). */
async function determineNewMessages(cl, nodeid, oldvalues) {
  const messages = await cl.get(nodeid, 'messages');
  if (oldvalues === null) return messages;
  if (!('messages' in oldvalues)) return [];
  const before = new Set((oldvalues.messages ?? []).map(String));
  return messages.filter((msgid) => !before.has(msgid));
}

async function nosyreaction(db, cl, nodeid, oldvalues) {
  for (const msgid of await determineNewMessages(cl, nodeid, oldvalues)) {
    await cl.nosymessage(nodeid, msgid, oldvalues);
  }
}

async function updatenosy(db, cl, nodeid, newvalues) {
  const isNew = nodeid === null;
  const ok = isNew ? ['new', 'yes'] : ['yes'];
  const current = new Set();
  if (!isNew && !('nosy' in newvalues)) {
    for (const id of await cl.get(nodeid, 'nosy')) current.add(id);
  }
  // if the nosy list changed in this transaction, init from the new value
  if ('nosy' in newvalues) {
    for (const id of newvalues.nosy ?? []) {
      if (await db.user.hasnode(String(id))) current.add(String(id));
    }
  }
  const nosy = new Set(current);

  // add the assignee(s) to the nosy list
  if (newvalues.assignedto) {
    const assigned = Array.isArray(newvalues.assignedto) ? newvalues.assignedto : [newvalues.assignedto];
    for (const id of assigned) nosy.add(String(id));
  }

  // new messages: possibly add their author and recipients
  if (newvalues.messages) {
    const old = isNew ? [] : await cl.get(nodeid, 'messages');
    const added = newvalues.messages.map(String).filter((m) => !old.includes(m));
    const addAuthor = db.config.NOSY_ADD_AUTHOR ?? 'new';
    const addRecipients = db.config.NOSY_ADD_RECIPIENTS ?? 'new';
    for (const msgid of added) {
      if (ok.includes(addAuthor)) {
        const author = await db.msg.get(msgid, 'author');
        if (author) nosy.add(author);
      }
      if (ok.includes(addRecipients)) {
        for (const recipient of await db.msg.get(msgid, 'recipients')) nosy.add(recipient);
      }
    }
  }

  if (nosy.size !== current.size || [...nosy].some((id) => !current.has(id))) newvalues.nosy = [...nosy];
}

export function init(db) {
  db.issue.react('create', nosyreaction);
  db.issue.react('set', nosyreaction);
  db.issue.audit('create', updatenosy);
  db.issue.audit('set', updatenosy);
}
