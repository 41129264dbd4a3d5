import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { reportSubject, sendErrorReport } from '../../lib/mail/admin-report.js';
import { parseDebugFile } from '../../lib/mail/debug-file.js';
import { Mailer } from '../../lib/mail/mailer.js';
import { type CoreServer, startCoreServer } from '../web/core-harness.js';
import { type GatewayTracker, fixtureMail, importedTracker } from './gateway/gateway-fixtures.js';
import { testSettings } from './mail-helpers.js';
import { type TestSmtpServer, startSmtpServer } from './smtp-test-server.js';

/** Waits until `file` exists (the report is mailed in the background), at most a few seconds. */
async function mailFile(file: string): Promise<string> {
  for (let i = 0; i < 250 && !existsSync(file); i++) await sleep(20);
  return readFileSync(file, 'utf8');
}

describe('error reports to the admin', () => {
  let server: TestSmtpServer | null = null;
  let web: CoreServer | null = null;
  let g: GatewayTracker | null = null;

  afterEach(async () => {
    await server?.close();
    await web?.close();
    await g?.cleanup();
    server = web = g = null;
  });

  it('mails admin_email the error as text and HTML, subject "Error: <message>"', async () => {
    server = await startSmtpServer();
    const mailer = new Mailer({ ...testSettings, host: '127.0.0.1', port: server.port, username: '', password: null, tls: false, tlsKeyfile: null, tlsCertfile: null, localHostname: null, debugFile: null });
    const error = new Error('the <disk> is full');
    await sendErrorReport(mailer, { error, where: 'POST /demo/issue1' });
    assert.equal(server.received.length, 1);
    assert.deepEqual(server.received[0]!.to, ['roundup-admin@example.com']);
    const parsed = await simpleParser(server.received[0]!.text);
    assert.equal(parsed.subject, 'Error: the <disk> is full');
    assert.ok(parsed.text!.startsWith('POST /demo/issue1\n\nError: the <disk> is full\n    at '));
    assert.match(parsed.html as string, /^<h1>Traceback<\/h1>\n<p>POST \/demo\/issue1<\/p>\n<pre>Error: the &lt;disk&gt; is full\n {4}at /);
    assert.equal(server.received[0]!.text.includes('Precedence: bulk'), true);
  });

  it('calls template failures "Templating Error"', () => {
    const templateError = Object.assign(new Error('issue.item.html:3: unknown filter'), { name: 'TemplateRenderError' });
    assert.equal(reportSubject(templateError), 'Templating Error: issue.item.html:3: unknown filter');
    assert.equal(reportSubject('plain text'), 'Error: plain text');
  });

  it('the web interface mails a server fault to the admin and shows the user a generic page', async () => {
    web = await startCoreServer({
      app: { actions: [{ name: 'explode', changesData: false, run: async () => { throw new Error('detector <b>exploded</b>'); } }] },
    });
    const response = await web.get('?@action=explode');
    assert.equal(response.status, 500);
    assert.equal(response.body.includes('exploded'), false);
    const [mail] = parseDebugFile(await mailFile(join(web.home, 'mail-debug.txt')));
    assert.deepEqual(mail!.recipients, ['roundup-admin@example.com']);
    const parsed = await simpleParser(mail!.message);
    assert.equal(parsed.subject, 'Error: detector <b>exploded</b>');
    assert.ok(parsed.text!.startsWith('GET /demo/?@action=explode\n\nError: detector <b>exploded</b>\n'));
    assert.match(parsed.html as string, /<pre>Error: detector &lt;b&gt;exploded&lt;\/b&gt;/);
  });

  it('with [web] debug on, nothing is mailed', async () => {
    web = await startCoreServer({
      settings: { web_debug: 'yes' },
      app: { actions: [{ name: 'explode', changesData: false, run: async () => { throw new Error('quietly'); } }] },
    });
    assert.equal((await web.get('?@action=explode')).status, 500);
    assert.equal((await web.get('?@action=explode')).status, 500);
    assert.deepEqual(web.logger.lines.filter((l) => l.startsWith('warn')), []);
    assert.equal(existsSync(join(web.home, 'mail-debug.txt')), false);
  });

  it('the mail gateway answers a detector failure with a bounce and mails the admin the traceback', async () => {
    g = await importedTracker();
    g.tracker.schema.getClass('issue').detectors.audit('set', () => {
      throw new TypeError('statusauditor: cannot read x');
    });
    const result = await g.process(fixtureMail('02-followup-props.eml'));
    assert.equal(result.outcome, 'bounced');
    const sent = await g.sent();
    assert.deepEqual(sent.map((m) => [m.recipients, m.parsed.subject]), [
      [['bob@example.org'], 'Failed issue tracker submission'],
      [['roundup-admin@example.com'], 'Failed issue tracker submission'],
    ]);
    assert.equal(sent[0]!.text.includes('cannot read x'), false);
    assert.match(sent[1]!.parsed.text ?? '', /TypeError: statusauditor: cannot read x/);
  });
});
