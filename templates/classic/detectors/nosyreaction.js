// Maintains the nosy list of issues (Roundup's updatenosy auditor):
// the assignee, and the author and recipients of new messages, are added
// to the nosy list, as [nosy] add_author and add_recipients say
// ('new': only when the issue is created, 'yes': always, 'no': never).
//
// Sending new messages to the nosy list is the mail gateway's part of this
// detector and is not implemented yet.

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
  db.issue.audit('create', updatenosy);
  db.issue.audit('set', updatenosy);
}
