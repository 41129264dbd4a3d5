import assert from 'node:assert/strict';
import { DateTime } from '../../lib/hyperdb/date.js';
import type { Tracker } from '../../lib/tracker/tracker.js';
import { type CoreServer, type RawResponse, startCoreServer } from './core-harness.js';
import { skipWithoutBackend } from '../support/trackers.js';

const INDEX = 'issue?@columns=id,activity,title,creator,assignedto,status,keyword&@sort=-activity&@group=priority&@filter=status&status=-1,1,2,3,4,5,6,7&@pagesize=50';

/** Users <prefix>u0..u(n-1), keywords <prefix>k0..k3; returns their ids. */
async function people(tracker: Tracker, users: number, prefix = ''): Promise<{ users: string[]; keywords: string[] }> {
  const db = await tracker.open({ userid: '1' }, { checked: false });
  try {
    const out = { users: [] as string[], keywords: [] as string[] };
    for (let i = 0; i < users; i++) out.users.push(await db.getclass('user').create({ username: `${prefix}u${i}`, realname: `User ${i}`, roles: 'User' }));
    for (let i = 0; i < 4; i++) out.keywords.push(await db.getclass('keyword').create({ name: `${prefix}k${i}` }));
    await db.commit();
    return out;
  } finally {
    await db.close();
  }
}

/** Issues with a status, priority, assignee and keywords each, and `messages` messages by different authors. */
async function issues(tracker: Tracker, count: number, who: { users: string[]; keywords: string[] }, messages = 0): Promise<string[]> {
  const db = await tracker.open({ userid: '1' }, { checked: false });
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const msgs: string[] = [];
    for (let m = 0; m < messages; m++) {
      msgs.push(await db.getclass('msg').create({ content: `message ${m} see issue1`, author: who.users[m % who.users.length], date: DateTime.now() }));
    }
    ids.push(
      await db.getclass('issue').create({
        title: `issue ${n}`,
        status: String(1 + (n % 7)),
        priority: String(1 + (n % 5)),
        assignedto: who.users[n % who.users.length],
        keyword: [who.keywords[n % 4]!, who.keywords[(n + 1) % 4]!],
        nosy: who.users.slice(0, 1 + (n % 3)),
        messages: msgs,
      }),
    );
  }
  await db.commit();
  await db.close();
  return ids;
}

async function counted(s: CoreServer, path: string, headers: Record<string, string> = {}): Promise<{ statements: number; response: RawResponse }> {
  const before = s.tracker.storage.backend.statements;
  const response = await s.get(path, headers);
  assert.equal(response.status, 200, `${path}: ${response.body.slice(0, 300)}`);
  return { statements: s.tracker.storage.backend.statements - before, response };
}

/** A core server that has answered one request: what a process looks up once (the anonymous user's id) is not counted. */
async function startWarm(backend: 'sqlite' | 'postgresql'): Promise<CoreServer> {
  const s = await startCoreServer({ backend });
  assert.equal((await s.get('')).status, 200);
  return s;
}

const rows = (html: string) => (html.match(/<tr class="row">/g) ?? []).length;

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`web/app: a page costs a constant number of queries (${backend})`, function () {
    before(async function () {
      await skipWithoutBackend(this, backend);
    });

    for (const [who, headers] of [
      ['anonymous', {}],
      ['admin', { 'x-test-user': 'admin' }],
    ] as const) {
      it(`renders the index of 50 rows with as many queries as 5 rows (${who})`, async () => {
        const s = await startWarm(backend);
        try {
          const cast = await people(s.tracker, 5);
          await issues(s.tracker, 5, cast);
          const five = await counted(s, INDEX, headers);
          assert.equal(rows(five.response.body), 5);
          const more = await people(s.tracker, 20, 'more-');
          await issues(s.tracker, 45, { users: [...cast.users, ...more.users], keywords: [...cast.keywords, ...more.keywords] });
          const fifty = await counted(s, INDEX, headers);
          assert.equal(rows(fifty.response.body), 50);
          assert.equal(fifty.statements, five.statements);
          // 21: the test's header authentication looks a named user up (one statement) on every request.
          assert.ok(five.statements <= 21, `${five.statements} statements`);
        } finally {
          await s.close();
        }
      });

      it(`renders an issue with 3 messages (and their history) with as many queries as one with 1 (${who})`, async () => {
        const s = await startWarm(backend);
        try {
          const cast = await people(s.tracker, 4);
          const [one] = await issues(s.tracker, 1, cast, 1);
          const first = await counted(s, `issue${one}`, headers);
          assert.equal((first.response.body.match(/<article class="msg">/g) ?? []).length, 1);
          const [three] = await issues(s.tracker, 1, cast, 3);
          const second = await counted(s, `issue${three}`, headers);
          assert.equal((second.response.body.match(/<article class="msg">/g) ?? []).length, 3);
          assert.equal(second.statements, first.statements);
          assert.ok(first.statements <= 25, `${first.statements} statements`);
        } finally {
          await s.close();
        }
      });
    }

    it('answers a page again with one query (the data version), until something is committed', async () => {
      const s = await startWarm(backend);
      try {
        const cast = await people(s.tracker, 3);
        await issues(s.tracker, 5, cast);
        const cold = await counted(s, INDEX);
        const warm = await counted(s, INDEX);
        assert.equal(warm.response.body, cold.response.body);
        assert.equal(warm.statements, 1);
        // A change made through another unit of work (as another process would) shows at once.
        const db = await s.tracker.open({ userid: '1' }, { checked: false });
        await db.getclass('issue').set('1', { title: 'renamed elsewhere' });
        await db.commit();
        await db.close();
        const after = await counted(s, INDEX);
        assert.match(after.response.body, /renamed elsewhere/);
        assert.equal(after.statements, cold.statements);
      } finally {
        await s.close();
      }
    });
  });
}
