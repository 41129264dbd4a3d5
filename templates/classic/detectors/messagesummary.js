// Gives each new message a summary (its first line or sentence, quotes and
// signature left out), computed like the mail gateway does, unless the
// creator provided one.

export function init(db, { parseContent }) {
  db.msg.audit('create', (db, cl, nodeid, newvalues) => {
    if ('summary' in newvalues || !('content' in newvalues)) return;
    const content = newvalues.content;
    const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
    newvalues.summary = parseContent(text, db.config).summary;
  });
}
