import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDebugFile } from '../../../lib/mail/debug-file.js';
import { sharedFixtures } from '../../support/paths.js';
import { skipWithoutBackend } from '../../support/trackers.js';
import { type NosyTracker, type Person, keys, nosyTracker } from './nosy-fixtures.js';

/*
 * Replays changes that made the mails of Roundup's fixture mbox (its
 * `[mail] debug` file) and compares our mails with them, text for text:
 * only the Message-Id (random), the Date and X-Roundup-Version may differ.
 */

const FIXTURE = parseDebugFile(readFileSync(join(sharedFixtures, 'roundup-nosy-mail.mbox'), 'utf8'));

/** One fixture mail and the issue state before the change that sent it. */
interface Scenario {
  entry: number;
  issueid: string;
  title: string;
  creator: Person;
  keywords: string[];
  priority: string;
  statusBefore: string;
  files: { name: string; type: string }[];
  nosyBefore: Person[];
  author: Person;
  content: string;
  nosyAdded: Person[];
  status: string;
  assignedto?: Person;
}

const SCENARIOS: Scenario[] = [
  {
    entry: 0, issueid: '2', title: 'Export drops retired users', creator: 'bob', keywords: ['ui', 'backend'], priority: 'urgent', statusBefore: 'unread',
    files: [{ name: 'shot-1.png', type: 'image/png' }], nosyBefore: ['bob'], author: 'carol', content: 'Follow-up 0 from carol on issue 2.', nosyAdded: ['carol'], status: 'chatting',
  },
  {
    entry: 2, issueid: '3', title: 'Nosy list ignores alternate address', creator: 'carol', keywords: ['ui', 'backend', 'mail'], priority: 'bug', statusBefore: 'need-eg',
    files: [], nosyBefore: ['carol', 'alice'], author: 'dave', content: 'Follow-up 1 from dave on issue 3.', nosyAdded: ['dave'], status: 'in-progress', assignedto: 'carol',
  },
  {
    entry: 3, issueid: '4', title: 'Unicode élève in title breaks index', creator: 'dave', keywords: ['ui'], priority: 'feature', statusBefore: 'in-progress',
    files: [{ name: 'trace-3.txt', type: 'text/plain' }], nosyBefore: ['dave'], author: 'bob', content: 'Follow-up 1 from bob on issue 4.', nosyAdded: ['bob', 'carol'], status: 'testing', assignedto: 'carol',
  },
  {
    entry: 10, issueid: '10', title: 'Slow index with 20k issues', creator: 'bob', keywords: ['ui'], priority: 'wish', statusBefore: 'unread',
    files: [{ name: 'trace-9.txt', type: 'text/plain' }, { name: 'shot-9.png', type: 'image/png' }], nosyBefore: ['bob'], author: 'carol', content: 'Follow-up 0 from carol on issue 10.', nosyAdded: ['carol'], status: 'chatting',
  },
  {
    entry: 11, issueid: '11', title: 'Commas, "quotes"; semi:colons and tabs\tin title?', creator: 'carol', keywords: ['ui', 'backend'], priority: 'critical', statusBefore: 'unread',
    files: [], nosyBefore: ['carol'], author: 'alice', content: 'Follow-up 0 from alice on issue 11.', nosyAdded: ['alice'], status: 'need-eg',
  },
];

/** The mail text with the parts that cannot be the same (random id, clock, version) blanked. */
function comparable(message: string): string {
  return message
    .replace(/^Message-Id: .*$/m, 'Message-Id: <...>')
    .replace(/^Date: .*$/m, 'Date: ...')
    .replace(/^X-Roundup-Version: .*$/m, 'X-Roundup-Version: ...');
}

async function replay(t: NosyTracker, s: Scenario): Promise<string> {
  const m0 = await t.as(s.creator, async (db) => {
    const fileids: string[] = [];
    for (const f of s.files) fileids.push(await db.getclass('file').create({ name: f.name, type: f.type, content: `content of ${f.name}` }));
    const msg = await db.getclass('msg').create({ content: `Opening ${s.title}`, author: t.ids[s.creator] });
    await db.getclass('issue').setNextId(Number(s.issueid));
    const issue = await db.getclass('issue').create({
      title: s.title,
      messages: [msg],
      files: fileids,
      keyword: await keys(db, 'keyword', s.keywords),
      priority: await db.getclass('priority').lookup(s.priority),
      status: await db.getclass('status').lookup(s.statusBefore),
    });
    // Others joined later, as in Roundup's tracker: the opening message was mailed to nobody (so it has no Message-Id).
    await db.getclass('issue').set(issue, { nosy: s.nosyBefore.map((p) => t.ids[p]) });
    return msg;
  });
  t.clearSent();
  return t.as(s.author, async (db) => {
    const msg = await db.getclass('msg').create({ content: s.content, author: t.ids[s.author] });
    await db.getclass('issue').set(s.issueid, {
      messages: [m0, msg],
      nosy: [...s.nosyBefore, ...s.nosyAdded].map((p) => t.ids[p]),
      status: await db.getclass('status').lookup(s.status),
      ...(s.assignedto ? { assignedto: t.ids[s.assignedto] } : {}),
    });
    return msg;
  });
}

for (const backend of ['sqlite', 'postgresql'] as const) describe(`nosy mail compared with the mails Python Roundup sent (${backend})`, () => {
  let t: NosyTracker | null = null;

  before(async function () {
    await skipWithoutBackend(this, backend);
    t = await nosyTracker({}, { backend });
  });
  after(async () => {
    await t?.cleanup();
  });

  for (const s of SCENARIOS) {
    it(`issue${s.issueid}: ${s.author}'s follow-up reads exactly as fixture mail ${s.entry}`, async () => {
      const msgid = await replay(t!, s);
      const sent = t!.sent();
      assert.equal(sent.length, 1);
      const expected = FIXTURE[s.entry]!;
      assert.equal(sent[0]!.sender, expected.sender);
      assert.deepEqual(sent[0]!.recipients, expected.recipients);
      assert.equal(comparable(sent[0]!.message), comparable(expected.message));
      // The Message-Id is made in Roundup's shape and kept on the msg, so replies thread onto it.
      const messageId = /^Message-Id: (.*)$/m.exec(sent[0]!.message)![1]!;
      assert.match(messageId, new RegExp(`^<\\d+(\\.\\d+)?\\.[A-Z2-7]{16}\\.issue${s.issueid}@example\\.com>$`));
      assert.equal(await t!.as('admin', (db) => db.getclass('msg').get(msgid, 'messageid')), messageId);
    });
  }
});
