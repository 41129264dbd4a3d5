import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initialiseCommand, installCommand } from '../../lib/admin/commands/tracker-setup.js';
import { verifyPassword } from '../../lib/hyperdb/password.js';
import { loadTrackerConfig } from '../../lib/tracker/config.js';
import { BUILTIN_TEMPLATES_DIR, installTracker } from '../../lib/tracker/install.js';
import { Tracker, nukeTrackerData } from '../../lib/tracker/tracker.js';
import { type BackendName, backendSettings, skipWithoutBackend } from '../support/trackers.js';
import { usageError, useScratchDir } from './admin-fixtures.js';
import { maintOn } from './maint-fixtures.js';

const RULE = '---------------------------------------------------------------------------';

/** What install prints when done, for a home and the options still unset. */
function nextSteps(home: string, unset: string[] = []): string {
  return (
    `\n${RULE}\n You should now edit the tracker configuration file:\n   ${home}/config.ini\n` +
    (unset.length ? ` ... at a minimum, you must set following options:\n${unset.map((line) => `   ${line}\n`).join('')}` : '') +
    `\n If you wish to modify the database schema,\n you should also edit the schema file:\n   ${home}/schema.js\n` +
    ` You may also change the database initialisation file:\n   ${home}/initial_data.js\n` +
    ' ... see the documentation on customizing for more information.\n\n' +
    ' You MUST run the "roundup-admin initialise" command once you\'ve performed\n' +
    ` the above steps.\n${RULE}\n\n`
  );
}

const COMPLETE = 'tracker_web=http://tracker.example/t/,mail_domain=example.com,mail_host=localhost';

describe('roundup-admin install', () => {
  const scratch = useScratchDir('rup-setup-');
  const home = () => join(scratch.dir, 'tracker');

  it('installs without prompts from template, backend and settings, listing the options still unset', async () => {
    const run = await maintOn(home())(['install', 'classic', 'sqlite', 'tracker_web=http://tracker.example/t/,mail_domain=example.com']);
    assert.deepEqual({ status: run.status, stdout: run.stdout, stderr: run.stderr }, { status: 0, stdout: nextSteps(home(), ['[mail]: host']), stderr: '' });
    for (const file of ['config.ini', 'schema.js', 'initial_data.js', 'TEMPLATE-INFO.txt', 'detectors']) assert.ok(existsSync(join(home(), file)), file);
    assert.equal(run.io.questions.length, 0);
    const ini = readFileSync(join(home(), 'config.ini'), 'utf8');
    assert.match(ini, /^web = http:\/\/tracker\.example\/t\/$/m);
    assert.match(ini, /^domain = example\.com$/m);
    assert.match(ini, /^backend = sqlite$/m);
    assert.match(ini, /^#host = NO DEFAULT$/m);
  });

  it('names the installed template <template>-<home name> in TEMPLATE-INFO.txt', async () => {
    await maintOn(home())(['install', 'classic', 'sqlite', COMPLETE]);
    const info = readFileSync(join(home(), 'TEMPLATE-INFO.txt'), 'utf8');
    assert.equal(info.split('\n')[0], 'Name: classic-tracker');
    assert.equal(info.split('\n').slice(1).join('\n'), readFileSync(join(BUILTIN_TEMPLATES_DIR, 'classic', 'TEMPLATE-INFO.txt'), 'utf8').split('\n').slice(1).join('\n'));
  });

  it('prints no option list when every mandatory option is given', async () => {
    const run = await maintOn(home())(['install', 'minimal', 'postgresql', COMPLETE]);
    assert.equal(run.stdout, nextSteps(home()));
    const config = loadTrackerConfig(home());
    assert.equal(config.RDBMS_BACKEND, 'postgresql');
    assert.equal(readFileSync(join(home(), 'TEMPLATE-INFO.txt'), 'utf8').split('\n')[0], 'Name: minimal-tracker');
  });

  it('asks for template and backend, an empty answer taking the default', async () => {
    const run = await maintOn(home())(['install'], { answers: ['', ''] });
    assert.equal(run.status, 0);
    assert.equal(
      run.stdout,
      'Templates: classic, minimal\nSelect template [classic]: Back ends: sqlite, postgresql\nSelect backend [sqlite]: ' +
        nextSteps(home(), ['[tracker]: web', '[mail]: domain, host']),
    );
    assert.equal(loadTemplateName(home()), 'classic-tracker');
    assert.match(readFileSync(join(home(), 'config.ini'), 'utf8'), /^backend = sqlite$/m);
  });

  it('asks again until the answer is one of the choices', async () => {
    const run = await maintOn(home())(['install'], { answers: ['nosuch', 'minimal', 'anydbm', 'postgresql'] });
    assert.equal(run.status, 0);
    assert.equal(
      run.stdout.slice(0, run.stdout.indexOf('\n---')),
      'Templates: classic, minimal\nSelect template [classic]: Select template [classic]: ' +
        'Back ends: sqlite, postgresql\nSelect backend [sqlite]: Select backend [sqlite]: ',
    );
    assert.equal(loadTemplateName(home()), 'minimal-tracker');
    assert.match(readFileSync(join(home(), 'config.ini'), 'utf8'), /^backend = postgresql$/m);
  });

  it('takes a valid template argument and asks only for the backend', async () => {
    const run = await maintOn(home())(['install', 'minimal'], { answers: ['postgresql'] });
    assert.equal(run.stdout.slice(0, run.stdout.indexOf('\n---')), 'Back ends: sqlite, postgresql\nSelect backend [sqlite]: ');
  });

  it('fails on an unknown template when no answer can be read, creating nothing', async () => {
    const run = await maintOn(home())(['install', 'nosuch', 'sqlite']);
    assert.deepEqual(
      { status: run.status, stdout: run.stdout },
      { status: 1, stdout: 'Templates: classic, minimal\nSelect template [classic]: Error: unknown template "nosuch"\n' },
    );
    assert.equal(existsSync(home()), false);
  });

  it('fails on an unknown backend when no answer can be read', async () => {
    const run = await maintOn(home())(['install', 'classic', 'anydbm']);
    assert.deepEqual(
      { status: run.status, stdout: run.stdout },
      { status: 1, stdout: 'Back ends: sqlite, postgresql\nSelect backend [sqlite]: Error: unknown backend "anydbm"\n' },
    );
  });

  it('fails when input ends before a template is chosen', async () => {
    const run = await maintOn(home())(['install']);
    assert.equal(run.stdout, 'Templates: classic, minimal\nSelect template [classic]: Error: no template chosen\n');
    assert.equal(run.status, 1);
  });

  it('refuses a home whose parent directory does not exist', async () => {
    const missing = join(scratch.dir, 'no', 'such');
    const run = await maintOn(join(missing, 'home'))(['install', 'classic', 'sqlite']);
    assert.deepEqual(
      { status: run.status, stdout: run.stdout },
      { status: 1, stdout: usageError(`Instance home parent directory "${missing}" does not exist`, installCommand.help) },
    );
  });

  it('reports settings that are not key=val and installs nothing', async () => {
    const run = await maintOn(home())(['install', 'classic', 'sqlite', 'tracker_web']);
    assert.deepEqual({ status: run.status, stdout: run.stdout }, { status: 1, stdout: 'Error in configuration settings: "tracker_web"\n' });
    assert.equal(existsSync(home()), false);
  });

  it('reports unknown options and bad values before copying anything', async () => {
    const run = await maintOn(home())(['install', 'classic', 'sqlite', 'nosuch_option=1,web_http_auth=maybe']);
    assert.deepEqual(
      { status: run.status, stdout: run.stdout },
      {
        status: 1,
        stdout:
          'Error: Invalid tracker configuration (2 problems):\n  Unsupported configuration option: nosuch_option\n' +
          '  [web] http_auth: "maybe" is not a valid boolean (yes/no)\n',
      },
    );
    assert.equal(existsSync(home()), false);
  });

  it('asks before erasing an existing tracker and keeps it when told no', async () => {
    await maintOn(home())(['install', 'classic', 'sqlite', COMPLETE]);
    writeFileSync(join(home(), 'marker'), 'kept');
    const run = await maintOn(home())(['install', 'minimal', 'sqlite', COMPLETE], { answers: ['n'] });
    assert.deepEqual(
      { status: run.status, stdout: run.stdout },
      { status: 0, stdout: `WARNING: There appears to be a tracker in "${home()}"!\nIf you re-install it, you will lose all the data!\nErase it? Y/N: ` },
    );
    assert.equal(readFileSync(join(home(), 'marker'), 'utf8'), 'kept');
    assert.equal(loadTemplateName(home()), 'classic-tracker');
  });

  it('erases the existing tracker and installs afresh when told y', async () => {
    await maintOn(home())(['install', 'classic', 'sqlite', COMPLETE]);
    writeFileSync(join(home(), 'marker'), 'gone');
    const run = await maintOn(home())(['install', 'minimal', 'sqlite', COMPLETE], { answers: [' Y '] });
    assert.equal(run.status, 0);
    assert.equal(existsSync(join(home(), 'marker')), false);
    assert.equal(loadTemplateName(home()), 'minimal-tracker');
  });

  it("applies a template's config_ini.ini and leaves it out of the home; given settings win", async () => {
    const template = join(scratch.dir, 'mytemplate');
    cpSync(join(BUILTIN_TEMPLATES_DIR, 'classic'), template, { recursive: true, dereference: true });
    writeFileSync(join(template, 'TEMPLATE-INFO.txt'), 'Name: mytemplate\nDescription: Classic with mail debugging.\nIntended-For: tests\n');
    writeFileSync(join(template, 'config_ini.ini'), '[mail]\n# comment\ndebug = SendMail.LOG\n[tracker]\nname = From the template\n');
    const run = await maintOn(home())(['install', 'mytemplate', 'sqlite', `${COMPLETE},tracker_name=Given`]);
    assert.equal(run.status, 0);
    assert.equal(existsSync(join(home(), 'config_ini.ini')), false);
    assert.ok(existsSync(join(template, 'config_ini.ini')));
    const config = loadTrackerConfig(home());
    assert.equal(config.MAIL_DEBUG, join(home(), 'SendMail.LOG'));
    assert.equal(config.TRACKER_NAME, 'Given');
  });

  it('lists a template found in a sub-directory of the current directory among the choices', async () => {
    const template = join(scratch.dir, 'extra');
    mkdirSync(template);
    writeFileSync(join(template, 'TEMPLATE-INFO.txt'), 'Name: extra\nDescription: x\n');
    const run = await maintOn(home())(['install', 'nosuch', 'sqlite']);
    assert.equal(run.stdout.split('\n')[0], 'Templates: classic, minimal, extra');
  });
});

function loadTemplateName(home: string): string {
  return readFileSync(join(home, 'TEMPLATE-INFO.txt'), 'utf8').split('\n')[0]!.slice('Name: '.length);
}

for (const backend of ['sqlite', 'postgresql'] as BackendName[]) {
  describe(`roundup-admin initialise (${backend})`, () => {
    let home = '';
    before(async function () {
      await skipWithoutBackend(this, backend);
    });
    beforeEach(() => {
      home = join(mkdtempSync(join(tmpdir(), 'rup-init-')), 'tracker');
      installTracker({
        home,
        template: 'classic',
        backend,
        settings: { tracker_web: 'http://tracker.example/t/', mail_domain: 'example.com', mail_host: 'localhost', password_pbkdf2_default_rounds: '1000', ...backendSettings(backend) },
      });
    });
    afterEach(async () => {
      await nukeTrackerData(home).catch(() => undefined);
      rmSync(join(home, '..'), { recursive: true, force: true });
    });

    /** Reads the tracker back: user names, issue titles and whether `password` is the admin's. */
    async function contents(password: string): Promise<{ users: string[]; issues: string[]; adminPassword: boolean }> {
      const tracker = await Tracker.open(home);
      const db = await tracker.open({ userid: '1' }, { checked: false });
      try {
        const users = await Promise.all((await db.getclass('user').list()).map(async (id) => (await db.getclass('user').get(id, 'username')) as string));
        const issues = await Promise.all((await db.getclass('issue').list()).map(async (id) => (await db.getclass('issue').get(id, 'title')) as string));
        const stored = (await db.getclass('user').get('1', 'password')) as string;
        return { users, issues, adminPassword: (await verifyPassword(stored, password)).ok };
      } finally {
        await db.close();
        await tracker.close();
      }
    }

    it('creates the database and runs initial_data.js with the password given', async () => {
      const run = await maintOn(home)(['initialise', 's3cret']);
      assert.deepEqual({ status: run.status, stdout: run.stdout, stderr: run.stderr }, { status: 0, stdout: '', stderr: '' });
      assert.deepEqual(await contents('s3cret'), { users: ['admin', 'anonymous'], issues: [], adminPassword: true });
    });

    it('asks for the password and its confirmation until both agree', async () => {
      const run = await maintOn(home)(['initialise'], { answers: ['one', 'two', 'pw', 'pw'] });
      assert.equal(run.status, 0);
      assert.equal(run.stdout, 'Admin Password:        Confirm: Admin Password:        Confirm: ');
      assert.deepEqual(
        run.io.questions.map((q) => q.secret),
        [true, true, true, true],
      );
      assert.equal((await contents('pw')).adminPassword, true);
    });

    it('fails when input ends before the password is confirmed', async () => {
      const run = await maintOn(home)(['initialise'], { answers: ['pw'] });
      assert.deepEqual(
        { status: run.status, stdout: run.stdout },
        { status: 1, stdout: 'Admin Password:        Confirm: Error: input ended before the admin password was confirmed\n' },
      );
    });

    it('keeps an initialised database when the erase question is not answered y', async () => {
      await maintOn(home)(['initialise', 'first']);
      await maintOn(home)(['create', 'issue', 'title=kept']);
      const run = await maintOn(home)(['initialise', 'second'], { answers: ['n'] });
      assert.deepEqual(
        { status: run.status, stdout: run.stdout },
        { status: 0, stdout: 'WARNING: The database is already initialised!\nIf you re-initialise it, you will lose all the data!\nErase it? Y/N: ' },
      );
      assert.deepEqual(await contents('first'), { users: ['admin', 'anonymous'], issues: ['kept'], adminPassword: true });
    });

    it('erases an initialised database and starts afresh when told y', async () => {
      await maintOn(home)(['initialise', 'first']);
      await maintOn(home)(['create', 'issue', 'title=gone']);
      const run = await maintOn(home)(['initialise', 'second'], { answers: ['y'] });
      assert.equal(run.status, 0);
      assert.deepEqual(await contents('second'), { users: ['admin', 'anonymous'], issues: [], adminPassword: true });
    });
  });
}

describe('roundup-admin initialise errors', () => {
  const scratch = useScratchDir('rup-setup-');

  it('refuses a home that does not exist', async () => {
    const run = await maintOn(join(scratch.dir, 'missing'))(['initialise', 'pw']);
    assert.deepEqual({ status: run.status, stdout: run.stdout }, { status: 1, stdout: usageError('Instance home does not exist', initialiseCommand.help) });
  });

  it('refuses a directory where no tracker is installed', async () => {
    const run = await maintOn(scratch.dir)(['initialise', 'pw']);
    assert.deepEqual({ status: run.status, stdout: run.stdout }, { status: 1, stdout: usageError('Instance has not been installed', initialiseCommand.help) });
  });

  it('reports the config.ini problems of a tracker not yet configured', async () => {
    const home = join(scratch.dir, 'tracker');
    await maintOn(home)(['install', 'classic', 'sqlite']);
    const run = await maintOn(home)(['initialise', 'pw']);
    const problems =
      'Invalid tracker configuration (3 problems):\n' +
      `  ${home}/config.ini: [tracker] web: is not set and has no default\n` +
      `  ${home}/config.ini: [mail] domain: is not set and has no default\n` +
      `  ${home}/config.ini: [mail] host: is not set and has no default`;
    assert.deepEqual({ status: run.status, stdout: run.stdout }, { status: 1, stdout: usageError(problems, initialiseCommand.help) });
    assert.equal(existsSync(join(home, 'db', 'db')), false);
  });
});
