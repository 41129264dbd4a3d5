import assert from 'node:assert/strict';
import { verifyPassword } from '../../../lib/hyperdb/password.js';
import { registrationActions } from '../../../lib/web/actions/registration-actions.js';
import type { WebAction } from '../../../lib/web/web-types.js';
import { skipWithoutBackend } from '../../support/trackers.js';
import { type RegistrationTracker, createRegistrationTracker, mailBody } from './registration-fixtures.js';

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`registration and password reset on ${backend}`, () => {
    let t: RegistrationTracker;
    let actions: Map<string, WebAction>;
    before(async function () {
      await skipWithoutBackend(this, backend);
    });
    beforeEach(async () => {
      t = await createRegistrationTracker({ backend });
      actions = new Map(registrationActions(t.services).map((a) => [a.name, a]));
    });
    afterEach(() => t?.cleanup());

    async function run(name: string, fields: Record<string, string>, method = 'POST') {
      const db = await t.open('2');
      try {
        const req = t.request(db, fields, { method });
        const outcome = await actions.get(name)!.run(req);
        return { outcome, ok: req.messages.ok, error: req.messages.error };
      } finally {
        await db.close();
      }
    }

    it('registers by mail, confirms with the key, then resets the password in two steps', async () => {
      assert.deepEqual([...actions.values()].map((a) => [a.name, a.changesData]), [
        ['register', true],
        ['confrego', false],
        ['passrst', false],
      ]);
      const form = { username: 'kim', password: 'pw-1', '@confirm@password': 'pw-1', address: 'kim@example.org' };
      assert.equal((await run('register', form)).outcome.kind, 'redirect');
      const [regKey] = [...t.keys.records.keys()];
      assert.equal((await run('confrego', { otk: regKey! }, 'GET')).outcome.kind, 'response');
      assert.equal(t.logins[0]!.username, 'kim');

      assert.deepEqual((await run('passrst', { username: 'kim' }, 'GET')).ok, ['Email sent to primary notification address for kim.']);
      const [resetKey] = [...t.keys.records.keys()];
      assert.deepEqual((await run('passrst', { otk: resetKey! }, 'GET')).ok, ['Password reset and email sent to kim@example.org']);
      const password = /Your password is now: (\w+)/.exec(mailBody(t.mails()[2]!))![1]!;
      const db = await t.admin();
      try {
        const stored = (await db.getclass('user').get(t.logins[0]!.userid, 'password')) as string;
        assert.equal((await verifyPassword(stored, password)).ok, true);
        assert.equal((await verifyPassword(stored, 'pw-1')).ok, false);
      } finally {
        await db.close();
      }
    });
  });
}
