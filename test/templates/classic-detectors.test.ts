/**
 * The classic template's detectors, against Roundup 2.x's: statusauditor
 * (presetunread, chatty, chatting_requires_two_users), userauditor,
 * messagesummary and the nosy-list auditor of nosyreaction.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../lib/hyperdb/database.js';
import { rejectsWith, type TemplateTracker, useTemplateTracker } from './template-fixtures.js';

const PEOPLE = [
  { username: 'alice', roles: 'User', address: 'alice@example.com' },
  { username: 'bob', roles: 'User', address: 'bob@example.com' },
  { username: 'carol', roles: 'User', address: 'carol@example.com' },
  { username: 'dave', roles: 'User', address: 'dave@example.com' },
];

/** Status names by id, read once per tracker. */
async function statusNames(h: TemplateTracker): Promise<Map<string, string>> {
  const db = await h.open({ username: 'admin' });
  const ids = await db.getclass('status').list();
  const items = await db.getclass('status').getMany(ids);
  return new Map(ids.map((id) => [id, items.get(id)!.name as string]));
}

/** A unit of work as `username` (checked, as the web would open it). */
function as(h: TemplateTracker, username: string): Promise<Database> {
  return h.open({ username }, { checked: true });
}

/** Creates an issue as `username` and commits; returns its id. */
async function newIssue(h: TemplateTracker, username: string, values: Record<string, unknown> = {}): Promise<string> {
  const db = await as(h, username);
  const id = await db.getclass('issue').create({ title: 'printer on fire', ...values });
  await db.commit();
  return id;
}

/** Sets an issue's properties as admin (no detector of interest reacts) and commits. */
async function adminSet(h: TemplateTracker, issue: string, values: Record<string, unknown>): Promise<void> {
  const db = await h.open({ username: 'admin' });
  await db.getclass('issue').set(issue, values);
  await db.commit();
}

/** `username` adds a new message to the issue (plus any other changes) and commits. */
async function addMessage(h: TemplateTracker, username: string, issue: string, extra: Record<string, unknown> = {}): Promise<void> {
  const db = await as(h, username);
  const msg = await db.getclass('msg').create({ content: `a word from ${username}`, author: db.getuid() });
  const messages = (await db.getclass('issue').get(issue, 'messages')) as string[];
  await db.getclass('issue').set(issue, { messages: [...messages, msg], ...extra });
  await db.commit();
}

async function statusOf(h: TemplateTracker, issue: string): Promise<string | null> {
  const db = await h.open({ username: 'admin' });
  const status = (await db.getclass('issue').get(issue, 'status')) as string | null;
  return status === null ? null : (await statusNames(h)).get(status)!;
}

describe('classic template: detectors as installed', () => {
  const fixture = useTemplateTracker({ template: 'classic', shared: true });

  it('installs nosyreaction, statusauditor, userauditor and messagesummary, and detectors/config.ini', () => {
    assert.deepEqual(readdirSync(join(fixture.h.t.home, 'detectors')).sort(), [
      'config.ini',
      'messagesummary.js',
      'nosyreaction.js',
      'statusauditor.js',
      'userauditor.js',
    ]);
  });

  it('sets [statusauditor] chatting_requires_two_users = False', () => {
    assert.equal(fixture.h.tracker.config.detectors.STATUSAUDITOR_CHATTING_REQUIRES_TWO_USERS, 'False');
  });

  it('registers the auditors on issue (create, set), msg (create) and user (create, set)', () => {
    const count = (classname: string, event: 'create' | 'set' | 'retire' | 'restore') =>
      fixture.h.tracker.schema.getClass(classname).detectors.auditorsFor(event).length;
    assert.deepEqual(
      ['issue', 'msg', 'user'].map((cn) => [cn, count(cn, 'create'), count(cn, 'set'), count(cn, 'retire'), count(cn, 'restore')]),
      [
        ['issue', 2, 2, 0, 0],
        ['msg', 1, 0, 0, 0],
        ['user', 1, 1, 0, 0],
      ],
    );
  });
});

describe('classic template: statusauditor', () => {
  const fixture = useTemplateTracker({ template: 'classic', shared: true });
  before(async () => {
    await fixture.h.addUsers(PEOPLE);
  });

  it('presets the status of a new issue to unread when none is given', async () => {
    const h = fixture.h;
    assert.equal(await statusOf(h, await newIssue(h, 'alice')), 'unread');
    assert.equal(await statusOf(h, await newIssue(h, 'alice', { status: null })), 'unread');
  });

  it('keeps the status a new issue is created with', async () => {
    const h = fixture.h;
    assert.equal(await statusOf(h, await newIssue(h, 'alice', { status: 'deferred' })), 'deferred');
  });

  for (const from of ['unread', 'resolved', 'done-cbb']) {
    it(`moves an issue from ${from} to chatting when a new message arrives`, async () => {
      const h = fixture.h;
      const issue = await newIssue(h, 'alice', { status: from });
      await addMessage(h, 'bob', issue);
      assert.equal(await statusOf(h, issue), 'chatting');
    });
  }

  it('moves an issue without a status to chatting when a new message arrives', async () => {
    const h = fixture.h;
    const issue = await newIssue(h, 'alice');
    await adminSet(h, issue, { status: null });
    assert.equal(await statusOf(h, issue), null);
    await addMessage(h, 'bob', issue);
    assert.equal(await statusOf(h, issue), 'chatting');
  });

  for (const other of ['deferred', 'need-eg', 'in-progress', 'testing']) {
    it(`leaves an issue in ${other} when a new message arrives`, async () => {
      const h = fixture.h;
      const issue = await newIssue(h, 'alice', { status: other });
      await addMessage(h, 'bob', issue);
      assert.equal(await statusOf(h, issue), other);
    });
  }

  it('lets an explicit status change made with the new message win', async () => {
    const h = fixture.h;
    const issue = await newIssue(h, 'alice', { status: 'resolved' });
    await addMessage(h, 'bob', issue, { status: 'testing' });
    assert.equal(await statusOf(h, issue), 'testing');
  });

  it('does nothing when the change brings no new message', async () => {
    const h = fixture.h;
    const issue = await newIssue(h, 'alice', { status: 'resolved' });
    await addMessage(h, 'bob', issue, { status: 'resolved' });
    const db = await as(h, 'bob');
    const messages = await db.getclass('issue').get(issue, 'messages');
    await db.getclass('issue').set(issue, { messages, title: 'retitled' });
    await db.commit();
    assert.equal(await statusOf(h, issue), 'resolved');
  });

  it('moves the creator\'s own unread issue to chatting when they add a message (chatting_requires_two_users off)', async () => {
    const h = fixture.h;
    const issue = await newIssue(h, 'alice');
    await addMessage(h, 'alice', issue);
    assert.equal(await statusOf(h, issue), 'chatting');
  });
});

describe('classic template: statusauditor with chatting_requires_two_users', () => {
  const fixture = useTemplateTracker({
    template: 'classic',
    shared: true,
    detectorsIni: '[statusauditor]\nchatting_requires_two_users = True\n',
  });
  before(async () => {
    await fixture.h.addUsers(PEOPLE);
  });

  it('reads the setting from detectors/config.ini', () => {
    assert.equal(fixture.h.tracker.config.detectors.STATUSAUDITOR_CHATTING_REQUIRES_TWO_USERS, 'True');
  });

  it('keeps an unread issue unread when its creator adds a message', async () => {
    const h = fixture.h;
    const issue = await newIssue(h, 'alice');
    await addMessage(h, 'alice', issue);
    assert.equal(await statusOf(h, issue), 'unread');
  });

  it('moves an unread issue to chatting when someone else adds a message', async () => {
    const h = fixture.h;
    const issue = await newIssue(h, 'alice');
    await addMessage(h, 'alice', issue);
    await addMessage(h, 'bob', issue);
    assert.equal(await statusOf(h, issue), 'chatting');
  });

  it('still moves the creator\'s resolved issue to chatting (only unread waits for a second user)', async () => {
    const h = fixture.h;
    const issue = await newIssue(h, 'alice', { status: 'resolved' });
    await addMessage(h, 'alice', issue);
    assert.equal(await statusOf(h, issue), 'chatting');
  });
});

describe('classic template: userauditor', () => {
  const fixture = useTemplateTracker({ template: 'classic', shared: true });
  const ids: Record<string, string> = {};
  before(async () => {
    Object.assign(ids, await fixture.h.addUsers([
      { username: 'kenny', roles: 'User', address: 'kenny@example.com', alternate_addresses: 'sp_ken@example.com' },
      { username: 'kyle', roles: 'User', address: 'kyle@example.com', realname: 'Kyle Broflovski' },
    ]));
  });
  const users = async () => (await fixture.h.open({ username: 'admin' })).getclass('user');
  const USERNAME_RULE = 'Username/Login Name must consist only of the letters a-z (any case), digits 0-9 and the symbols: @._-!+%';

  it('rejects user names with characters other than letters, digits and @._-!+%', async () => {
    const user = await users();
    for (const username of ['bad name', 'tab\there', 'zoë', 'semi;colon', 'quote"d', '']) {
      await rejectsWith(user.create({ username }), 'RUP_ERR_REJECT', USERNAME_RULE);
    }
    await rejectsWith(user.set(ids.kyle!, { username: 'kyle b' }), 'RUP_ERR_REJECT', USERNAME_RULE);
    assert.equal(await user.get(ids.kyle!, 'username'), 'kyle');
  });

  it('accepts user names made of letters of any case, digits and @._-!+%', async () => {
    const user = await users();
    const id = await user.create({ username: 'Some.User_1+tag@host!%-' });
    assert.equal(await user.get(id, 'username'), 'Some.User_1+tag@host!%-');
  });

  it('rejects an address or alternate address that is not syntactically valid', async () => {
    const user = await users();
    for (const address of ['kyle @ example.com', 'one@example.com,two@example.com', 'weird@@example.com', 'embedded\nnewline@example.com', 'dot.@example.com']) {
      await rejectsWith(user.set(ids.kyle!, { address }), 'RUP_ERR_REJECT', `Email address syntax is invalid "${address}"`);
    }
    await rejectsWith(
      user.set(ids.kyle!, { alternate_addresses: 'k2@example.com\nkyle @ example.com' }),
      'RUP_ERR_REJECT',
      'Email address syntax is invalid "kyle @ example.com"',
    );
    assert.deepEqual([await user.get(ids.kyle!, 'address'), await user.get(ids.kyle!, 'alternate_addresses')], ['kyle@example.com', null]);
  });

  it('accepts local addresses and any case in the domain', async () => {
    const user = await users();
    const id = await user.create({ username: 'local', address: 'local' });
    await user.set(id, { address: 'local@EXAMPLE.com' });
    assert.equal(await user.get(id, 'address'), 'local@EXAMPLE.com');
  });

  it('rejects an address used as another user\'s primary address, whatever its case', async () => {
    const user = await users();
    await rejectsWith(user.create({ username: 'cartman', address: 'kenny@example.com' }), 'RUP_ERR_REJECT', 'Email address kenny@example.com already in use');
    await rejectsWith(user.create({ username: 'cartman', address: 'KENNY@Example.com' }), 'RUP_ERR_REJECT', 'Email address KENNY@Example.com already in use');
    await rejectsWith(
      user.set(ids.kyle!, { alternate_addresses: 'kenny@example.com' }),
      'RUP_ERR_REJECT',
      'Email address kenny@example.com already in use',
    );
    await rejectsWith(user.lookup('cartman'), 'RUP_ERR_KEY_NOT_FOUND', 'No key (username) value "cartman" for "user"');
  });

  it('rejects an address used as an alternate address of another user', async () => {
    const user = await users();
    await rejectsWith(user.set(ids.kyle!, { address: 'sp_ken@example.com' }), 'RUP_ERR_REJECT', 'Email address sp_ken@example.com already in use');
    await rejectsWith(
      user.set(ids.kyle!, { alternate_addresses: 'kyle2@example.com\nSP_KEN@example.com' }),
      'RUP_ERR_REJECT',
      'Email address SP_KEN@example.com already in use',
    );
    assert.equal(await user.get(ids.kyle!, 'address'), 'kyle@example.com');
  });

  it('lets a user keep their own address and alternate addresses, or swap them', async () => {
    const user = await users();
    await user.set(ids.kenny!, { address: 'kenny@example.com', alternate_addresses: 'sp_ken@example.com' });
    await user.set(ids.kenny!, { address: 'sp_ken@example.com', alternate_addresses: 'kenny@example.com' });
    assert.deepEqual(
      [await user.get(ids.kenny!, 'address'), await user.get(ids.kenny!, 'alternate_addresses')],
      ['sp_ken@example.com', 'kenny@example.com'],
    );
  });

  it('does not take an address for one that merely contains it', async () => {
    const user = await users();
    const id = await user.create({ username: 'ken', address: 'ken@example.com' });
    assert.equal(await user.get(id, 'address'), 'ken@example.com');
  });

  it('rejects roles that do not exist, naming them in lower case', async () => {
    const user = await users();
    await rejectsWith(user.set(ids.kyle!, { roles: 'BadRole' }), 'RUP_ERR_REJECT', 'Role "badrole" does not exist');
    await rejectsWith(user.set(ids.kyle!, { roles: 'User,BadRole' }), 'RUP_ERR_REJECT', 'Role "badrole" does not exist');
    await rejectsWith(user.create({ username: 'stan', roles: 'Superuser' }), 'RUP_ERR_REJECT', 'Role "superuser" does not exist');
  });

  it('accepts known roles in any case, with stray commas and blanks', async () => {
    const user = await users();
    for (const roles of ['User,', ',User', '    User   ', '   ', 'admin, USER']) {
      await user.set(ids.kyle!, { roles });
      assert.equal(await user.get(ids.kyle!, 'roles'), roles);
    }
  });

  it('accepts time zone names and whole-hour offsets from -23 to 23', async () => {
    const user = await users();
    for (const timezone of ['Europe/Warsaw', 'US/Eastern', 'MST', 'UTC', '-23', '23', '0', '12', '+5', '']) {
      await user.set(ids.kyle!, { timezone });
      assert.equal(await user.get(ids.kyle!, 'timezone'), timezone);
    }
  });

  it('rejects unknown time zone names', async () => {
    const user = await users();
    for (const timezone of ['MiddleOf/Nowhere', 'Mars/Olympus_Mons', '3.5']) {
      await rejectsWith(user.set(ids.kyle!, { timezone }), 'RUP_ERR_REJECT', `Timezone "${timezone}" does not exist`);
    }
  });

  it('rejects offsets outside [-23, 23]', async () => {
    const user = await users();
    for (const timezone of ['24', '-24', '3000', '-3000']) {
      await rejectsWith(user.set(ids.kyle!, { timezone }), 'RUP_ERR_REJECT', `Timezone "${timezone}" exceeds valid range [-23...23]`);
    }
    await rejectsWith(user.create({ username: 'eric', timezone: '24' }), 'RUP_ERR_REJECT', 'Timezone "24" exceeds valid range [-23...23]');
  });
});

describe('classic template: messagesummary', () => {
  const fixture = useTemplateTracker({ template: 'classic', shared: true });
  const msgs = async () => (await fixture.h.open({ username: 'admin' })).getclass('msg');

  it('summarises a new message by its first line after the quoted text, keeping the content whole', async () => {
    const msg = await msgs();
    const content = 'Kyle wrote:\n> Is the build broken?\n> It fails for me.\n\nYes, it is broken since Monday\nand nobody noticed\n\n-- \nKenny\nSouth Park\n';
    const id = await msg.create({ content, author: '1' });
    assert.equal(await msg.get(id, 'summary'), 'Yes, it is broken since Monday');
    assert.equal(await msg.get(id, 'content'), content);
  });

  it('takes a first sentence running over lines when it sorts after the first line, as Roundup\'s max() does', async () => {
    const msg = await msgs();
    const id = await msg.create({ content: '> quoted\n> text\n\nThis sentence spans\ntwo lines. Then more.\n\n-- \nsig line\n', author: '1' });
    assert.equal(await msg.get(id, 'summary'), 'This sentence spans\ntwo lines.');
  });

  it('takes the whole first line when it sorts after the first sentence', async () => {
    const msg = await msgs();
    const id = await msg.create({ content: 'Fixed in r42! See the log.\nThanks for the report.\n', author: '1' });
    assert.equal(await msg.get(id, 'summary'), 'Fixed in r42! See the log.');
  });

  it('keeps a summary given on create', async () => {
    const msg = await msgs();
    const id = await msg.create({ content: 'Long text. More text.', summary: 'My own summary', author: '1' });
    assert.equal(await msg.get(id, 'summary'), 'My own summary');
    const empty = await msg.create({ content: 'Long text. More text.', summary: '', author: '1' });
    assert.equal(await msg.get(empty, 'summary'), '');
  });

  it('leaves the summary alone when the content changes later', async () => {
    const msg = await msgs();
    const id = await msg.create({ content: 'First version.', author: '1' });
    await msg.set(id, { content: 'Second version.' });
    assert.equal(await msg.get(id, 'summary'), 'First version.');
  });
});

describe('classic template: nosyreaction nosy-list auditor', () => {
  /** What [nosy] add_author / add_recipients do: on the create, then on a later change. */
  const CASES: Array<{ settings: Record<string, string>; name: string; onCreate: string[]; onSet: string[] }> = [
    { settings: {}, name: 'defaults (new, new)', onCreate: ['alice', 'carol'], onSet: ['alice', 'carol'] },
    { settings: { nosy_add_author: 'new', nosy_add_recipients: 'yes' }, name: 'add_author=new, add_recipients=yes', onCreate: ['alice', 'carol'], onSet: ['alice', 'carol', 'dave'] },
    { settings: { nosy_add_author: 'yes', nosy_add_recipients: 'no' }, name: 'add_author=yes, add_recipients=no', onCreate: ['alice'], onSet: ['alice', 'bob'] },
    { settings: { nosy_add_author: 'no', nosy_add_recipients: 'new' }, name: 'add_author=no, add_recipients=new', onCreate: ['carol'], onSet: ['carol'] },
  ];

  for (const c of CASES) {
    describe(c.name, () => {
      const fixture = useTemplateTracker({ template: 'classic', shared: true, settings: c.settings });
      const ids: Record<string, string> = {};
      before(async () => {
        Object.assign(ids, await fixture.h.addUsers(PEOPLE));
      });
      const names = (list: unknown) => (list as string[]).map((id) => Object.keys(ids).find((name) => ids[name] === id) ?? id).sort();

      it('adds the author and recipients of the messages an issue is created with as configured', async () => {
        const db = await fixture.h.open({ username: 'admin' });
        const m1 = await db.getclass('msg').create({ content: 'first', author: ids.alice, recipients: [ids.carol] });
        const issue = await db.getclass('issue').create({ title: 'nosy test', messages: [m1] });
        assert.deepEqual(names(await db.getclass('issue').get(issue, 'nosy')), c.onCreate);
      });

      it('adds the author and recipients of messages added later as configured, and nobody when no message is new', async () => {
        const db = await fixture.h.open({ username: 'admin' });
        const m1 = await db.getclass('msg').create({ content: 'first', author: ids.alice, recipients: [ids.carol] });
        const issue = await db.getclass('issue').create({ title: 'nosy test', messages: [m1] });
        const m2 = await db.getclass('msg').create({ content: 'second', author: ids.bob, recipients: [ids.dave] });
        await db.getclass('issue').set(issue, { messages: [m1, m2] });
        assert.deepEqual(names(await db.getclass('issue').get(issue, 'nosy')), c.onSet);
        await db.getclass('issue').set(issue, { nosy: [] });
        await db.getclass('issue').set(issue, { messages: [m1, m2] });
        assert.deepEqual(await db.getclass('issue').get(issue, 'nosy'), []);
      });
    });
  }

  describe('assignee', () => {
    const fixture = useTemplateTracker({ template: 'classic', shared: true });
    const ids: Record<string, string> = {};
    before(async () => {
      Object.assign(ids, await fixture.h.addUsers(PEOPLE));
    });

    it('adds the assignee of a new issue to the nosy list given', async () => {
      const db = await fixture.h.open({ username: 'admin' });
      const issue = await db.getclass('issue').create({ title: 'assigned', assignedto: ids.bob, nosy: [ids.alice] });
      assert.deepEqual(await db.getclass('issue').get(issue, 'nosy'), [ids.alice, ids.bob]);
    });

    it('adds a new assignee to the current nosy list, and removes nobody when the assignee is cleared', async () => {
      const db = await fixture.h.open({ username: 'admin' });
      const issue = await db.getclass('issue').create({ title: 'assigned', nosy: [ids.alice] });
      await db.getclass('issue').set(issue, { assignedto: ids.carol });
      assert.deepEqual(await db.getclass('issue').get(issue, 'nosy'), [ids.alice, ids.carol]);
      await db.getclass('issue').set(issue, { assignedto: null });
      assert.deepEqual(await db.getclass('issue').get(issue, 'nosy'), [ids.alice, ids.carol]);
    });

    it('adds the assignee to a nosy list replaced in the same change', async () => {
      const db = await fixture.h.open({ username: 'admin' });
      const issue = await db.getclass('issue').create({ title: 'assigned', nosy: [ids.alice] });
      await db.getclass('issue').set(issue, { nosy: [ids.dave], assignedto: ids.bob });
      assert.deepEqual(await db.getclass('issue').get(issue, 'nosy'), [ids.bob, ids.dave]);
    });

    it('drops ids of users that do not exist when it rewrites the list', async () => {
      const db = await fixture.h.open({ username: 'admin' });
      const issue = await db.getclass('issue').create({ title: 'assigned', nosy: ['99', ids.alice], assignedto: ids.bob });
      assert.deepEqual(await db.getclass('issue').get(issue, 'nosy'), [ids.alice, ids.bob]);
    });
  });
});
