import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRupError } from '../../lib/errors.js';
import { TrackerConfigError } from '../../lib/tracker/config-errors.js';
import { CONFIG_OPTIONS } from '../../lib/tracker/config-options.js';
import { applyOverrides, createTrackerConfig, loadTrackerConfig, type TrackerConfig } from '../../lib/tracker/config.js';
import { testFixtures } from '../support/paths.js';

const fixture = (name: string): string => join(testFixtures, 'config', name);
const iniOf = (name: string): string => join(fixture(name), 'config.ini');

/** The problem lines of the RUP_ERR_CONFIG error `fn` throws. */
function problemLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TrackerConfigError, String(err));
    assert.equal(err.code, 'RUP_ERR_CONFIG');
    const [, ...lines] = err.message.split('\n');
    return lines.map((l) => l.replace(/^ {2}/u, ''));
  }
  assert.fail('no error thrown');
}

describe('tracker/config', () => {
  describe('loading fixture trackers', () => {
    it('loads a minimal config.ini, giving every other option its default', () => {
      const config = loadTrackerConfig(fixture('valid-minimal'));
      assert.equal(config.TRACKER_WEB, 'http://tracker.example/demo/');
      assert.equal(config.RDBMS_BACKEND, 'sqlite');
      assert.equal(config.MAIL_DOMAIN, 'example.com');
      assert.equal(config.MAIL_HOST, 'localhost');
      assert.equal(config.TRACKER_NAME, 'Roundup issue tracker');
      assert.equal(config.DATABASE, join(fixture('valid-minimal'), 'db'));
      assert.equal(config.TEMPLATES, join(fixture('valid-minimal'), 'html'));
      assert.equal(config.STATIC_FILES, null);
      assert.equal(config.ADMIN_EMAIL, 'roundup-admin@example.com');
      assert.equal(config.TRACKER_EMAIL, 'issue_tracker@example.com');
      assert.equal(config.TIMEZONE, 'UTC');
      assert.equal(config.UMASK, 0o2);
      assert.equal(config.WEB_HTTP_AUTH, true);
      assert.equal(config.WEB_DEBUG, false);
      assert.equal(config.WEB_CSRF_ENFORCE_TOKEN, 'yes');
      assert.equal(config['WEB_CSRF_ENFORCE_HEADER_X-REQUESTED-WITH'], 'yes');
      assert.equal(config.WEB_SAMESITE_COOKIE_SETTING, 'Lax');
      assert.equal(config.PASSWORD_PBKDF2_DEFAULT_ROUNDS, 250000);
      assert.equal(config.LOGGING_FORMAT, '%(asctime)s %(trace_id)s %(levelname)s %(message)s');
      assert.equal(config.NOSY_MAX_ATTACHMENT_SIZE, 9223372036854775807);
      assert.equal(config.text('nosy', 'max_attachment_size'), '9223372036854775807');
      assert.deepEqual(config.INDEXER_STOPWORDS, []);
      assert.equal(config.RDBMS_PORT, null);
      assert.equal(config.RDBMS_PASSWORD, 'roundup');
      assert.match(config.WEB_SECRET_KEY as string, /^[A-Za-z0-9+/]{43}=$/u);
      assert.equal((config.MAILGW_REFWD_RE as RegExp).source, '(\\s*\\W?\\s*(fw|fwd|re|aw|sv|ang)\\W)+');
      assert.deepEqual(config.warnings, []);
    });

    it('reads detectors/config.ini and extensions/config.ini as SEC_OPT names', () => {
      const config = loadTrackerConfig(fixture('valid-minimal'));
      assert.equal(config.detectors.STATUSAUDITOR_CHATTING_REQUIRES_TWO_USERS, 'False');
      assert.equal(config.detectors.get('statusauditor', 'chatting_requires_two_users'), 'False');
      assert.equal(config.detectors.NOTIFY_ADMIN, `${join(fixture('valid-minimal'), 'detectors')}/notify`);
      assert.deepEqual(config.detectors.keys(), ['STATUSAUDITOR_CHATTING_REQUIRES_TWO_USERS', 'NOTIFY_ADMIN']);
      assert.equal(config.ext.SPAMBAYES_SERVER, 'http://localhost:8001/sbrpc');
      assert.equal(config.ext.SPAMBAYES_THRESHOLD, '0.9');
      assert.equal(config.ext.has('spambayes', 'missing'), false);
      assert.throws(
        () => config.ext.get('spambayes', 'missing'),
        (err: unknown) => isRupError(err, 'RUP_ERR_CONFIG') && err.message === 'Unsupported configuration option: SPAMBAYES_MISSING',
      );
    });

    it('loads a Roundup-layout file that sets every option', () => {
      const home = fixture('every-option');
      const config = loadTrackerConfig(home);
      const expected = new Map<string, string>();
      const text = readFileSync(iniOf('every-option'), 'utf8');
      let section = '';
      for (const line of text.split('\n')) {
        const header = /^\[(\w+)\]$/u.exec(line);
        if (header) section = header[1];
        const option = /^([a-z][\w-]*) = (.*)$/u.exec(line);
        if (option) expected.set(`${section} ${option[1]}`, option[2].replace(/%%/gu, '%'));
      }
      assert.equal(expected.size, CONFIG_OPTIONS.length);
      for (const spec of CONFIG_OPTIONS) {
        assert.equal(config.text(spec.section, spec.name), expected.get(`${spec.section} ${spec.name}`), spec.key);
        assert.equal(config.line(spec.section, spec.name) !== undefined, true, spec.key);
      }
      assert.equal(config.TRACKER_NAME, 'Example Tracker');
      assert.equal(config.DISPATCHER_EMAIL, 'dispatch@example.org');
      assert.deepEqual(config.STATIC_FILES, [join(home, 'static'), join(home, 'extra'), '-']);
      assert.equal(config.UMASK, 0o22);
      assert.equal(config.TIMEZONE, 'Europe/Warsaw');
      assert.deepEqual(config.INDEXER_STOPWORDS, ['FOO', 'BAR']);
      assert.equal(config.WEB_SAMESITE_COOKIE_SETTING, 'Strict');
      assert.deepEqual(config.WEB_ALLOWED_API_ORIGINS, ['*', 'https://app.example.org']);
      assert.equal(config.WEB_LOGIN_ATTEMPTS_MIN, 5);
      assert.equal(config.RDBMS_ISOLATION_LEVEL, 'serializable');
      assert.equal(config.SESSIONDB_REDIS_URL, 'redis://redis.example.org:6379/1');
      assert.equal(config.LOGGING_FORMAT, '%(asctime)s %(levelname)s %(message)s');
      assert.equal(config.LOGGING_FILENAME, join(home, 'log/roundup.log'));
      assert.equal(config.MAIL_TLS_KEYFILE, join(home, 'tls/key.pem'));
      assert.equal(config.MAIL_PASSWORD, 'mailpass');
      assert.equal(config.MAILGW_KEEP_QUOTED_TEXT, 'new');
      assert.equal((config.MAILGW_SIGN_RE as RegExp).test('-- '), true);
      assert.equal(config.NOSY_MAX_ATTACHMENT_SIZE, 1048576);
      assert.equal(config.MARKDOWN_BREAK_ON_NEWLINE, true);
    });

    it('follows configparser syntax: ":" lines, inline ";" kept, continuations, %% and interpolation', () => {
      const home = fixture('ini-syntax');
      const config = loadTrackerConfig(home);
      assert.equal(config.ADMIN_EMAIL, 'admin@tracker.example');
      assert.equal(config.EMAIL_FROM_TAG, '[ours] ; not a comment');
      assert.equal(config.DATABASE, `${home}/store`);
      assert.equal(config.OBSOLETE_HISTORY_ROLES, 'Admin,\nUser');
      assert.equal(config.TRACKER_WEB, 'https://tracker.example/%7Edemo/');
      assert.equal(config.TRACKER_NAME, '"Quoted" tracker');
      assert.equal(config.RDBMS_NAME, 'dbhost_db');
      assert.equal(config.WEB_HTTP_AUTH, true);
      assert.equal(config.WEB_DEBUG, true);
      assert.equal(config.text('web', 'http_auth'), 'yes');
      assert.equal(config.line('tracker', 'web'), 14);
    });

    it('reports malformed lines with their numbers', () => {
      assert.deepEqual(problemLines(() => loadTrackerConfig(fixture('malformed-line'))), [
        `${iniOf('malformed-line')}:3: line is neither a [section] header, a "name = value" option nor a comment: 'this line has no delimiter'`,
        `${iniOf('malformed-line')}:7: option name missing before the "=" or ":": '= value without a name'`,
      ]);
    });

    it('reports a bad boolean with file, line, section and option', () => {
      assert.deepEqual(problemLines(() => loadTrackerConfig(fixture('bad-boolean'))), [
        `${iniOf('bad-boolean')}:5: [web] http_auth: "maybe" is not a valid boolean (yes/no)`,
      ]);
    });

    it('reports values outside a choice list, including a backend this server lacks', () => {
      assert.deepEqual(problemLines(() => loadTrackerConfig(fixture('bad-choice'))), [
        `${iniOf('bad-choice')}:2: [main] error_messages_to: "everybody" is not allowed (allowed values: user, dispatcher, both)`,
        `${iniOf('bad-choice')}:8: [web] csrf_enforce_token: "sometimes" is not allowed (allowed values: required, yes, logfailure, no)`,
        `${iniOf('bad-choice')}:9: [web] samesite_cookie_setting: "relaxed" is not allowed (allowed values: Strict, Lax, None)`,
        `${iniOf('bad-choice')}:12: [rdbms] backend: "mysql" is not allowed (allowed values: sqlite, postgresql)`,
      ]);
    });

    it('requires the tracker URL to start with http:// or https:// and end with /', () => {
      assert.deepEqual(problemLines(() => loadTrackerConfig(fixture('bad-web-url'))), [
        `${iniOf('bad-web-url')}:2: [tracker] web: "ftp://tracker.example/demo" must start with http:// or https:// and end with /`,
      ]);
    });

    it('reports every mandatory option that is missing', () => {
      assert.deepEqual(problemLines(() => loadTrackerConfig(fixture('missing-mandatory'))), [
        `${iniOf('missing-mandatory')}: [tracker] web: is not set and has no default`,
        `${iniOf('missing-mandatory')}: [rdbms] backend: is not set and has no default`,
        `${iniOf('missing-mandatory')}: [mail] host: is not set and has no default`,
      ]);
    });

    it('resolves relative paths against the directory holding config.ini', () => {
      const home = fixture('relative-paths');
      const config = loadTrackerConfig(home);
      assert.equal(config.DATABASE, join(home, 'data/db'));
      assert.equal(config.TEMPLATES, '/srv/shared/html');
      assert.deepEqual(config.STATIC_FILES, [join(home, 'static'), '/srv/shared/static', '-']);
      assert.equal(config.LOGGING_FILENAME, join(home, 'log/roundup.log'));
      assert.equal(config.LOGGING_CONFIG, '');
      assert.equal(config.MAIL_TLS_KEYFILE, join(home, 'tls/key.pem'));
      assert.equal(config.MAIL_TLS_CERTFILE, null);
      assert.equal(config.MAIL_DEBUG, join(home, 'mail-debug.txt'));
      assert.equal(config.text('main', 'database'), 'data/db');
    });

    it('reads file:// secrets: first line, trailing whitespace removed, empty meaning unset where allowed', () => {
      const config = loadTrackerConfig(fixture('file-secret'));
      assert.equal(config.WEB_SECRET_KEY, 'c2VjcmV0LWtleS1mcm9tLWZpbGU=');
      assert.equal(config.MAIL_PASSWORD, 'smtp-pass');
      assert.equal(config.RDBMS_PASSWORD, null);
      assert.equal(config.text('web', 'secret_key'), 'file://secrets/etag_key');
    });

    it('reads file:/// secrets from absolute paths', () => {
      const dir = mkdtempSync(join(tmpdir(), 'rup-config-'));
      try {
        writeFileSync(join(dir, 'key'), 'absolute-secret\n');
        writeFileSync(
          join(dir, 'config.ini'),
          `[tracker]\nweb = http://t.example/\n[web]\nsecret_key = file://${join(dir, 'key')}\n` +
            '[rdbms]\nbackend = sqlite\n[mail]\ndomain = d\nhost = h\n',
        );
        assert.equal(loadTrackerConfig(dir).WEB_SECRET_KEY, 'absolute-secret');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reports a file:// secret whose file does not exist', () => {
      assert.deepEqual(problemLines(() => loadTrackerConfig(fixture('missing-secret-file'))), [
        `${iniOf('missing-secret-file')}:5: [web] secret_key: unable to read the value from ${join(fixture('missing-secret-file'), 'secrets/nowhere')}: no such file`,
      ]);
    });

    it('ignores unknown sections and options as Roundup does, listing them as warnings', () => {
      const config = loadTrackerConfig(fixture('unknown-option'));
      assert.deepEqual(config.warnings, [
        `${iniOf('unknown-option')}:3: [tracker] colour: unknown option ignored`,
        `${iniOf('unknown-option')}:12: unknown section [frobnicator] ignored`,
      ]);
      assert.equal(config.TRACKER_WEB, 'http://tracker.example/demo/');
    });

    it('collects every problem of a file in line order', () => {
      const file = iniOf('many-problems');
      assert.deepEqual(problemLines(() => loadTrackerConfig(fixture('many-problems'))), [
        `${file}:2: [main] umask: "0o9" is not an octal integer`,
        `${file}:3: [main] timezone: "Mars/Olympus_Mons" is not a time zone name or a numeric hour offset`,
        `${file}:4: [main] csv_field_size: "-1" must be an integer greater than or equal to zero`,
        `${file}:5: [main] admin_email: '%' must be followed by '%' or '(', found: '% sure'`,
        `${file}:9: option 'web' in section [tracker] already exists`,
        `${file}:12: [web] login_attempts_min: "three" is not an integer`,
        `${file}:13: [web] allowed_api_origins: "https://a.example *": the '*' origin must be the first in the list`,
        `${file}:19: [logging] format: unrecognized use of %(...) in: "%(levelname)"`,
        `${file}:22: [mailgw] refwd_re: "(unclosed" is not a valid regular expression: Invalid regular expression: /(unclosed/u: Unterminated group`,
        `${file}:25: [sessiondb] redis_url: "redis://localhost/0?decode_responses=True": the decode_responses parameter is not allowed`,
        `${file}:30: [mail] port: Bad value substitution: option 'port' in section 'mail' contains an interpolation key 'nosuch' which is not a valid option name. Raw value: '%(nosuch)s'`,
      ]);
    });

    it('checks options that depend on each other', () => {
      const file = iniOf('cross-checks');
      assert.deepEqual(problemLines(() => loadTrackerConfig(fixture('cross-checks'))), [
        `${file}:3: [main] indexer_language: "klingon" is not a language of the native-fts indexer (valid languages: simple, arabic, armenian, basque, catalan, danish, dutch, english, finnish, french, german, greek, hindi, hungarian, indonesian, irish, italian, lithuanian, nepali, norwegian, portuguese, romanian, russian, serbian, spanish, swedish, tamil, turkish, yiddish)`,
        `${file}:9: [web] jwt_secret: every secret after the first must be at least 32 characters long; too short: also-short`,
        `${file}:15: [sessiondb] backend: session store "postgresql" cannot be used with the sqlite backend (allowed: sqlite, anydbm, redis)`,
        `${file}:20: [mail] password: is not set, but [mail] username is set; an SMTP password is needed with a user name`,
      ]);
    });

    it('gives the error the location of its first problem', () => {
      try {
        loadTrackerConfig(fixture('bad-boolean'));
        assert.fail('no error');
      } catch (err) {
        assert.ok(err instanceof TrackerConfigError);
        assert.deepEqual(err.location, { file: iniOf('bad-boolean'), line: 5, section: 'web', option: 'http_auth' });
        assert.equal(err.problems.length, 1);
      }
    });

    it('fails with Roundup\'s message when the home has no config.ini', () => {
      const dir = mkdtempSync(join(tmpdir(), 'rup-config-'));
      try {
        assert.throws(
          () => loadTrackerConfig(dir),
          (err: unknown) =>
            isRupError(err, 'RUP_ERR_CONFIG') && err.message === `No valid configuration files found in directory ${dir}`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('access', () => {
    let config: TrackerConfig;
    beforeEach(() => {
      config = loadTrackerConfig(fixture('valid-minimal'));
    });

    it('reads options by section and name', () => {
      assert.equal(config.get('mail', 'domain'), 'example.com');
      assert.equal(config.get('web', 'HTTP_AUTH'), true);
      assert.equal(config.get('main', 'admin_email'), 'roundup-admin@example.com');
    });

    it('reads options by legacy aliases', () => {
      assert.equal(config.MAILHOST, 'localhost');
      assert.equal(config.DEFAULT_TIMEZONE, 'UTC');
      assert.equal(config.MESSAGES_TO_AUTHOR, 'no');
      assert.equal(config.ADD_AUTHOR_TO_NOSY, 'new');
      assert.equal(config.EMAIL_CHARSET, 'utf-8');
      assert.equal(config.MYSQL_DBNAME, 'roundup');
      assert.equal(config.getByKey('EMAIL_KEEP_QUOTED_TEXT'), 'yes');
    });

    it('gives the tracker home as HOME and TRACKER_HOME', () => {
      assert.equal(config.HOME, fixture('valid-minimal'));
      assert.equal(config.TRACKER_HOME, fixture('valid-minimal'));
    });

    it('checks values assigned through upper-case names', () => {
      config.WEB_DEBUG = 'yes';
      assert.equal(config.WEB_DEBUG, true);
      config.WEB_LOGIN_ATTEMPTS_MIN = 7;
      assert.equal(config.get('web', 'login_attempts_min'), 7);
      config.INSTANT_REGISTRATION = true;
      assert.equal(config.text('main', 'instant_registration'), 'yes');
      assert.throws(
        () => {
          config.WEB_HTTP_AUTH = 'perhaps';
        },
        (err: unknown) =>
          isRupError(err, 'RUP_ERR_CONFIG') &&
          err.message === 'Invalid tracker configuration:\n  [web] http_auth: "perhaps" is not a valid boolean (yes/no)',
      );
      assert.equal(config.WEB_HTTP_AUTH, true);
    });

    it('appends the mail domain to bare addresses when they are read', () => {
      config.set('mail', 'domain', 'other.example');
      assert.equal(config.ADMIN_EMAIL, 'roundup-admin@other.example');
      config.set('main', 'admin_email', 'boss@example.net');
      assert.equal(config.ADMIN_EMAIL, 'boss@example.net');
    });

    it('raises Roundup\'s message for an option that is not set and has no default', () => {
      assert.throws(
        () => config.MAIL_PASSWORD,
        (err: unknown) => isRupError(err, 'RUP_ERR_CONFIG') && err.message === 'MAIL_PASSWORD is not set and has no default',
      );
    });

    it('rejects unknown option names', () => {
      assert.throws(
        () => config.get('web', 'colour'),
        (err: unknown) => isRupError(err, 'RUP_ERR_CONFIG') && err.message === 'Unsupported configuration option: [web] colour',
      );
      assert.throws(
        () => config.getByKey('WEB_COLOUR'),
        (err: unknown) => isRupError(err, 'RUP_ERR_CONFIG') && err.message === 'Unsupported configuration option: WEB_COLOUR',
      );
    });
  });

  describe('createTrackerConfig', () => {
    it('holds defaults, a random secret_key and no value for the mandatory options', () => {
      const a = createTrackerConfig('/trackers/new');
      const b = createTrackerConfig('/trackers/new');
      assert.equal(a.isSet('tracker', 'web'), false);
      assert.equal(a.isSet('main', 'database'), true);
      assert.equal(a.DATABASE, '/trackers/new/db');
      assert.match(a.WEB_SECRET_KEY as string, /^[A-Za-z0-9+/]{43}=$/u);
      assert.notEqual(a.WEB_SECRET_KEY, b.WEB_SECRET_KEY);
      assert.equal(a.text('web', 'secret_key'), a.defaultText('web', 'secret_key'));
      assert.deepEqual(a.unsetOptions(), [
        { section: 'tracker', options: ['web'] },
        { section: 'rdbms', options: ['backend'] },
        { section: 'mail', options: ['domain', 'host'] },
      ]);
    });

    it('asks for the SMTP password only once an SMTP user name is set', () => {
      const config = createTrackerConfig('/trackers/new');
      config.set('mail', 'username', 'mailer');
      assert.deepEqual(config.unsetOptions().at(-1), { section: 'mail', options: ['domain', 'host', 'password'] });
    });
  });

  describe('applyOverrides', () => {
    it('applies roundup-admin install key=val settings named <section>_<option>', () => {
      const config = createTrackerConfig('/trackers/new');
      const result = applyOverrides(config, {
        web_http_auth: 'no',
        rdbms_user: 'dinsdale',
        tracker_web: 'https://tracker.example/t/',
        admin_email: 'admin@example.org',
        MAILHOST: 'smtp.example.org',
        'web_csrf_enforce_header_x-requested-with': 'required',
      });
      assert.equal(result, config);
      assert.equal(config.WEB_HTTP_AUTH, false);
      assert.equal(config.RDBMS_USER, 'dinsdale');
      assert.equal(config.TRACKER_WEB, 'https://tracker.example/t/');
      assert.equal(config.ADMIN_EMAIL, 'admin@example.org');
      assert.equal(config.MAIL_HOST, 'smtp.example.org');
      assert.equal(config['WEB_CSRF_ENFORCE_HEADER_X-REQUESTED-WITH'], 'required');
    });

    it('lists every bad name and value and changes nothing', () => {
      const config = createTrackerConfig('/trackers/new');
      assert.deepEqual(
        problemLines(() => applyOverrides(config, { web_http_auth: 'no', web_colour: 'blue', tracker_web: 'http://x', rdbms_port: '' })),
        ['Unsupported configuration option: web_colour', '[tracker] web: "http://x" must end with /'],
      );
      assert.equal(config.WEB_HTTP_AUTH, true);
    });
  });
});
