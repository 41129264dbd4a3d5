import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRupError } from '../../lib/errors.js';
import { createTrackerApp } from '../../lib/web/app.js';
import { type CoreServer, createIssues, formBody, installFixtureTemplates, startCoreServer } from './core-harness.js';
import { createTestTracker } from '../support/trackers.js';

describe('web/app: the error funnel', function () {
  let s: CoreServer;
  before(async () => {
    s = await startCoreServer({
      settings: { web_max_upload_size: '2000' },
      prepare: (tracker) => {
        tracker.extensions.registerUtil('explode', () => {
          throw new Error('cannot reach postgres://admin:hunter2@db/tracker');
        });
        tracker.extensions.registerAction('crash', {
          changesData: false,
          run: async () => {
            throw new TypeError('internal detail 0xdeadbeef');
          },
        });
      },
    });
    await createIssues(s.tracker, 1);
  });
  after(async () => s?.close());

  it('shows an error page (500) for a template failing while it renders, logs file and line, and keeps the other pages working', async () => {
    s.logger.lines.length = 0;
    const r = await s.get('issue1?@template=boom');
    assert.equal(r.status, 500);
    assert.match(r.body, /<h2 id="error-title">An error has occurred<\/h2>/);
    assert.doesNotMatch(r.body, /nosuchproperty|boom\.html/);
    assert.equal(s.logger.lines.length, 1);
    assert.match(s.logger.lines[0]!, /^error: GET \/demo\/issue1\?@template=boom: template error: .*\/html\/issue\.boom\.html:4: Unable to call `context\["nosuchproperty"\]\["field"\]`, which is undefined or falsey$/);
    assert.equal((await s.get('issue1')).status, 200);
    assert.equal((await s.get('issue')).status, 200);
    assert.equal((await s.get('')).status, 200);
  });

  it('never shows internals: the page says "An error has occurred", the log has the detail', async () => {
    s.logger.lines.length = 0;
    for (const path of ['issue?@template=secret', '?@action=crash']) {
      const r = await s.get(path);
      assert.equal(r.status, 500, path);
      assert.doesNotMatch(r.body, /hunter2|postgres|0xdeadbeef|TypeError|\s+at\s+\S+ \(/, path);
      assert.match(r.body, /<p>An error has occurred<\/p>/, path);
    }
    assert.match(s.logger.lines.join('\n'), /hunter2/);
    assert.match(s.logger.lines.join('\n'), /TypeError: internal detail 0xdeadbeef\n\s+at /);
  });

  it('names the missing load: entry when a template reaches data its page did not load', async () => {
    s.logger.lines.length = 0;
    const r = await s.get('issue1?@template=supersede', { 'x-test-user': 'admin' });
    assert.equal(r.status, 500);
    assert.match(s.logger.lines[0]!, /issue\.supersede\.html:2: .*the options of issue\.superseder\.menu\(\) were not loaded: add \{# load: menu:superseder #\} to the template/);
  });

  it('answers a request body over [web] max_upload_size with 413, storing nothing', async () => {
    const { body, headers } = formBody({ '@action': 'new', title: 'x'.repeat(3000) });
    const r = await s.request('POST', 'issue', { body, headers: { ...headers, 'x-test-user': 'admin' } });
    assert.equal(r.status, 413);
    assert.match(r.body, /The request is larger than this tracker accepts \(2000 bytes\)\. Nothing was stored\./);
    const db = await s.tracker.open({ userid: '1' }, { checked: false });
    assert.deepEqual(await db.getclass('issue').list(), ['1']);
    await db.close();
  });
});

describe('web/app: error pages that fail themselves', function () {
  let s: CoreServer;
  before(async () => {
    s = await startCoreServer({
      prepare: (_tracker, home) => {
        writeFileSync(join(home, 'html', '_generic.404.html'), '{% extends "page.html" %}{% block content %}{{ nothing.here() }}{% endblock %}');
        writeFileSync(join(home, 'html', '_generic.error.html'), '{{ also.broken() }}');
      },
    });
  });
  after(async () => s?.close());

  it('fall back to a built-in page with the status and message, and are logged', async () => {
    s.logger.lines.length = 0;
    const r = await s.get('issue42');
    assert.equal(r.status, 404);
    assert.match(r.body, /<title>Not found<\/title>/);
    assert.match(r.body, /<p>issue42 does not exist<\/p>/);
    assert.equal(r.headers['content-security-policy']?.includes("script-src 'self'"), true);
    assert.match(s.logger.lines.join('\n'), /_generic\.404\.html:1: Unable to call `nothing\["here"\]`/);
    assert.match(s.logger.lines.join('\n'), /_generic\.error\.html:1: Unable to call `also\["broken"\]`/);
  });
});

describe('web/app: templates checked when the app is created', () => {
  it('refuses to create the app for a broken template, naming the file and line', async () => {
    const t = await createTestTracker();
    try {
      installFixtureTemplates(t.home);
      const bad = join(t.home, 'html', 'issue.broken.html');
      writeFileSync(bad, '{% extends "page.html" %}\n{% block content %}\n{% if %}\n{% endblock %}\n');
      assert.throws(
        () => createTrackerApp(t.tracker),
        (err: unknown) => isRupError(err, 'RUP_ERR_TEMPLATE') && err.location.file === bad && err.location.line === 3 && err.message.startsWith(`${bad}:3: `),
      );
    } finally {
      await t.cleanup();
    }
  });

  it('lists every broken template at once', async () => {
    const t = await createTestTracker();
    try {
      installFixtureTemplates(t.home);
      writeFileSync(join(t.home, 'html', 'a.html'), '{{ x( }}');
      writeFileSync(join(t.home, 'html', 'b.html'), '{% include "gone.html" %}');
      assert.throws(
        () => createTrackerApp(t.tracker),
        (err: unknown) =>
          isRupError(err, 'RUP_ERR_TEMPLATE') &&
          err.message.split('\n')[0] === '2 templates are broken:' &&
          err.message.includes(`${join(t.home, 'html', 'a.html')}:1: `) &&
          err.message.includes(`${join(t.home, 'html', 'b.html')}:1: template "gone.html" does not exist`),
      );
    } finally {
      await t.cleanup();
    }
  });
});
