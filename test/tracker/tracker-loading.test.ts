import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RupError } from '../../lib/errors.js';
import { TrackerConfigError } from '../../lib/tracker/config-errors.js';
import { Tracker } from '../../lib/tracker/tracker.js';
import { type HomeCopy, copyFixtureHome } from '../support/fixture-homes.js';

/** Opening `home` must fail; returns the error (a RupError) for the test to examine. */
async function openError(home: string): Promise<RupError> {
  let tracker: Tracker;
  try {
    tracker = await Tracker.open(home);
  } catch (err) {
    assert.ok(err instanceof RupError, `expected a RupError, got ${String(err)}`);
    return err;
  }
  await tracker.close();
  assert.fail(`${home} opened, but it should not`);
}

/** Creates an issue as the admin in its own unit of work and returns its stored title. */
async function createIssue(tracker: Tracker, title: string): Promise<string> {
  const db = await tracker.open({ username: 'admin' }, { checked: false });
  try {
    const id = await db.getclass('issue').create({ title });
    await db.commit();
    return (await db.getclass('issue').get(id, 'title')) as string;
  } finally {
    await db.close();
  }
}

describe('tracker/tracker: loading tracker homes', () => {
  const copies: HomeCopy[] = [];
  const trackers: Tracker[] = [];

  /** A private copy of a fixture home, removed after the test. */
  function home(scenario: string): string {
    const copy = copyFixtureHome(scenario);
    copies.push(copy);
    return copy.home;
  }

  /** Opens a home and closes it after the test. */
  async function open(dir: string): Promise<Tracker> {
    const tracker = await Tracker.open(dir);
    trackers.push(tracker);
    return tracker;
  }

  afterEach(async () => {
    for (const tracker of trackers.splice(0)) await tracker.close();
    for (const copy of copies.splice(0)) copy.remove();
  });

  describe('a valid home', () => {
    it('loads schema.js, detectors and extensions and creates the database at db/db', async () => {
      const dir = home('valid');
      const tracker = await open(dir);
      assert.deepEqual(tracker.schema.classNames(), ['user', 'msg', 'file', 'issue']);
      assert.equal(tracker.schemaChanges.created, true);
      assert.deepEqual(tracker.schemaChanges.changes, ['created class user', 'created class msg', 'created class file', 'created class issue']);
      assert.equal(existsSync(join(dir, 'db', 'db')), true);
      const greeting = tracker.extensions.utils.get('greeting') as (name: string) => string;
      assert.equal(greeting('Ann'), 'Hello, Ann!');
      await tracker.initialise('secret');
      // The detector trims titles: it was registered and fires.
      assert.equal(await createIssue(tracker, '  spaced out  '), 'spaced out');
    });

    it('lets detectors import helpers from the home lib/ folder', async () => {
      const tracker = await open(home('lib-helper'));
      await tracker.initialise('secret');
      assert.equal(await createIssue(tracker, 'Printer on fire, again!'), 'printer-on-fire-again');
    });
  });

  describe('broken schema.js', () => {
    it('reports a syntax error with schema.js, its line and the reason', async () => {
      const dir = home('schema-syntax-error');
      const err = await openError(dir);
      const file = join(dir, 'schema.js');
      assert.equal(err.code, 'RUP_ERR_PLUGIN');
      assert.equal(err.message, `${file}:5: SyntaxError: missing ) after argument list`);
      assert.deepEqual(err.location, { file, line: 5 });
    });

    it('reports an exception thrown by schema.js with file:line and the reason', async () => {
      const dir = home('schema-throws');
      const err = await openError(dir);
      const file = join(dir, 'schema.js');
      assert.equal(err.code, 'RUP_ERR_PLUGIN');
      assert.equal(err.message, `${file}:5: Error: the schema is not finished`);
      assert.equal(err.location.file, file);
      assert.equal(err.location.line, 5);
    });

    it('refuses a Link to an undefined class with Roundup\'s message', async () => {
      const dir = home('link-to-missing-class');
      const err = await openError(dir);
      assert.equal(err.code, 'RUP_ERR_PLUGIN');
      assert.equal(err.message, `${join(dir, 'schema.js')}: property issue.x links to non-existent class nosuch`);
      assert.equal((err.cause as RupError).code, 'RUP_ERR_SCHEMA');
    });

    it('refuses an invalid class name at the line defining it', async () => {
      const dir = home('bad-class-name');
      const err = await openError(dir);
      assert.equal(err.code, 'RUP_ERR_PLUGIN');
      assert.equal(
        err.message,
        `${join(dir, 'schema.js')}:5: Class name issue2 is not valid. It must start with a letter, end with a letter or "_", and only have alphanumerics and "_" in the middle.`,
      );
      assert.equal((err.cause as RupError).code, 'RUP_ERR_SCHEMA');
    });

    it('refuses a property named like an automatic one at the line defining it', async () => {
      const dir = home('reserved-property');
      const err = await openError(dir);
      assert.equal(err.code, 'RUP_ERR_PLUGIN');
      assert.equal(err.message, `${join(dir, 'schema.js')}:5: class issue: "creation", "activity", "creator" and "actor" are reserved`);
      assert.equal(err.location.line, 5);
    });
  });

  describe('broken detectors and extensions', () => {
    it('reports a detector syntax error with the detector file, line and reason', async () => {
      const dir = home('detector-syntax-error');
      const err = await openError(dir);
      const file = join(dir, 'detectors', 'broken.js');
      assert.equal(err.code, 'RUP_ERR_PLUGIN');
      assert.equal(err.message, `${file}:4: SyntaxError: Unexpected token 'new'`);
      assert.deepEqual(err.location, { file, line: 4 });
    });

    it('fails at load when a detector registers an unknown event, naming the detector file and line', async () => {
      const dir = home('detector-unknown-event');
      const err = await openError(dir);
      const file = join(dir, 'detectors', 'wrongevent.js');
      assert.equal(err.code, 'RUP_ERR_PLUGIN');
      assert.equal(err.message, `${file}:3: class issue: unknown detector event "delete" (expected one of create, set, retire, restore)`);
      assert.equal(err.location.file, file);
      assert.equal(err.location.line, 3);
    });

    it('fails at load when a detector registers something that is not a function, naming the detector file and line', async () => {
      const dir = home('detector-not-a-function');
      const err = await openError(dir);
      const file = join(dir, 'detectors', 'notafunction.js');
      assert.equal(err.code, 'RUP_ERR_PLUGIN');
      assert.equal(err.message, `${file}:3: class issue: the reactor registered is not a function`);
      assert.equal(err.location.line, 3);
    });

    it('reports an extension that throws with the extension file, line and reason', async () => {
      const dir = home('extension-throws');
      const err = await openError(dir);
      const file = join(dir, 'extensions', 'failing.js');
      assert.equal(err.code, 'RUP_ERR_PLUGIN');
      assert.equal(err.message, `${file}:3: TypeError: cannot register the action for Roundup issue tracker`);
      assert.equal(err.location.line, 3);
    });

    it('tries every detector and extension and lists every failure, each with file, line and reason', async () => {
      const dir = home('several-broken-plugins');
      const err = await openError(dir);
      const detectors = join(dir, 'detectors');
      assert.equal(err.code, 'RUP_ERR_PLUGIN');
      assert.equal(
        err.message,
        [
          '3 tracker plugins failed to load:',
          `  ${detectors}/bad-event.js:3: class issue: unknown detector event "destroy" (expected one of create, set, retire, restore)`,
          `  ${detectors}/no-init.js: must export a function "init"`,
          `  ${join(dir, 'extensions', 'bad-util.js')}:3: registerUtil("today"): not a function`,
        ].join('\n'),
      );
      assert.equal(err.location.file, join(detectors, 'bad-event.js'));
      assert.equal(err.location.line, 3);
    });

    for (const scenario of ['schema-throws', 'link-to-missing-class', 'detector-syntax-error', 'detector-unknown-event', 'extension-throws']) {
      it(`fails before touching the database (${scenario})`, async () => {
        const dir = home(scenario);
        assert.equal((await openError(dir)).code, 'RUP_ERR_PLUGIN');
        assert.equal(existsSync(join(dir, 'db')), false);
      });
    }
  });

  describe('isolation between trackers', () => {
    it('gives two trackers in one process their own detector and lib/ module state', async () => {
      const a = await open(home('module-state'));
      const b = await open(home('module-state'));
      await a.initialise('secret');
      await b.initialise('secret');
      assert.equal(await createIssue(a, 'first'), 'first detector#1 lib#1');
      assert.equal(await createIssue(a, 'second'), 'second detector#2 lib#2');
      assert.equal(await createIssue(b, 'other'), 'other detector#1 lib#1');
      assert.equal(await createIssue(a, 'third'), 'third detector#3 lib#3');
    });

    it('gives each load of the same home separate module instances, lib/ included', async () => {
      const dir = home('module-state');
      const first = await open(dir);
      await first.initialise('secret');
      assert.equal(await createIssue(first, 'one'), 'one detector#1 lib#1');
      assert.equal(await createIssue(first, 'two'), 'two detector#2 lib#2');
      const second = await open(dir);
      assert.notEqual(second.loadTag, first.loadTag);
      assert.equal(await createIssue(second, 'three'), 'three detector#1 lib#1');
      assert.equal(await createIssue(first, 'four'), 'four detector#3 lib#3');
    });

    it('shares the server\'s own library modules with plugins that import them by path', async () => {
      process.env.RUP_TEST_LIBRARY_MODULE = new URL('../../lib/errors.js', import.meta.url).href;
      try {
        const tracker = await open(home('shared-library'));
        assert.deepEqual(tracker.schema.classNames(), ['user', 'msg', 'file', 'issue']);
      } finally {
        delete process.env.RUP_TEST_LIBRARY_MODULE;
      }
    });

    it('keeps an open tracker working when another tracker fails to load in the same process', async () => {
      const good = await open(home('valid'));
      await good.initialise('secret');
      assert.equal(await createIssue(good, ' before '), 'before');
      const err = await openError(home('detector-unknown-event'));
      assert.equal(err.code, 'RUP_ERR_PLUGIN');
      assert.equal(await createIssue(good, ' after '), 'after');
      assert.equal((good.extensions.utils.get('greeting') as (n: string) => string)('Bo'), 'Hello, Bo!');
      assert.deepEqual(good.schema.getClass('issue').detectors.auditorsFor('create').length, 1);
    });
  });

  describe('homes that are not ours', () => {
    it('refuses a home with dbinit.py with Roundup\'s message', async () => {
      const dir = home('dbinit-py');
      const err = await openError(dir);
      assert.equal(err.code, 'RUP_ERR_TRACKER');
      assert.equal(err.message, `${dir}: Old style trackers using dbinit.py are not supported after release 2.0`);
    });

    it('refuses a folder without config.ini', async () => {
      const dir = home('no-config-ini');
      const err = await openError(dir);
      assert.equal(err.code, 'RUP_ERR_TRACKER');
      assert.equal(err.message, `${dir}: not a tracker home (no config.ini)`);
    });

    it('recognises a Python Roundup home (schema.py, no schema.js) and says what to do', async () => {
      const dir = home('python-roundup');
      const err = await openError(dir);
      assert.equal(err.code, 'RUP_ERR_TRACKER');
      assert.equal(err.message, `${dir}: not a tracker home (no schema.js). It has schema.py: it is a Python Roundup tracker; see docs/migrating.md.`);
    });

    it('refuses a folder that does not exist', async () => {
      const dir = join(home('valid'), 'missing');
      const err = await openError(dir);
      assert.equal(err.code, 'RUP_ERR_TRACKER');
      assert.equal(err.message, `${dir}: no such tracker home`);
    });
  });

  describe('config.ini errors', () => {
    it('lists every bad option with file, line, section and option, before loading anything else', async () => {
      const dir = home('bad-config');
      const err = await openError(dir);
      const file = join(dir, 'config.ini');
      assert.ok(err instanceof TrackerConfigError);
      assert.equal(err.code, 'RUP_ERR_CONFIG');
      assert.equal(
        err.message,
        [
          'Invalid tracker configuration (2 problems):',
          `  ${file}:6: [web] http_auth: "maybe" is not a valid boolean (yes/no)`,
          `  ${file}:10: [rdbms] sqlite_timeout: "soon" is not an integer`,
        ].join('\n'),
      );
      assert.deepEqual(err.location, { file, line: 6, section: 'web', option: 'http_auth' });
      assert.deepEqual(
        err.problems.map((p) => [p.line, p.section, p.option]),
        [
          [6, 'web', 'http_auth'],
          [10, 'rdbms', 'sqlite_timeout'],
        ],
      );
      assert.equal(existsSync(join(dir, 'db')), false);
    });
  });
});
