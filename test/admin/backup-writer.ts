/**
 * A busy tracker user for the backup tests, run as a child process
 * (`fork`) beside the backup: it commits transaction after transaction
 * until told to stop, and reports each commit. Every transaction n:
 *
 * - creates `msg` "payload-n" and `issue` "issue-n" linking it;
 * - creates an orphan message "orphan-n" and destroys the orphan of the
 *   previous transaction (so at most one orphan exists at any commit);
 * - every third one rewrites the content of msg1 and the title of issue1
 *   to "rewritten-n" together.
 *
 * A consistent snapshot therefore has an issue per payload message with
 * matching numbers, at most one orphan, and msg1's content agreeing with
 * issue1's title; every message's content file must be present.
 */
import { Tracker } from '../../lib/tracker/tracker.js';

const home = process.argv[2]!;
let stopping = false;
process.on('message', (message) => {
  if (message === 'stop') stopping = true;
});

const tracker = await Tracker.open(home);
let orphan: string | null = null;
for (let n = 0; !stopping; n++) {
  const db = await tracker.open({ userid: '1' }, { checked: false });
  try {
    const msg = await db.getclass('msg').create({ content: `payload-${n}`, author: '1' });
    await db.getclass('issue').create({ title: `issue-${n}`, messages: [msg] });
    const next = await db.getclass('msg').create({ content: `orphan-${n}`, author: '1' });
    if (orphan) await db.getclass('msg').destroy(orphan);
    if (n > 0 && n % 3 === 0) {
      await db.getclass('msg').set('1', { content: `rewritten-${n}` });
      await db.getclass('issue').set('1', { title: `rewritten-${n}` });
    }
    await db.commit();
    orphan = next;
    process.send!({ committed: n + 1 });
  } finally {
    await db.close();
  }
}
await tracker.close();
process.disconnect();
