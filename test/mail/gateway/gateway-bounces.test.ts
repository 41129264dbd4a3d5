import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDebugFile } from '../../../lib/mail/debug-file.js';
import { GATEWAY_HELP } from '../../../lib/mail/gateway/help-text.js';
import { type GatewayTracker, bodyText, bouncedOriginal, fixtureMail, importedTracker } from './gateway-fixtures.js';

const UNKNOWN = fixtureMail('06-unknown-sender.eml');

function message(headers: string, subject: string | null, body = 'Hi.\n'): Buffer {
  return Buffer.from(`From: Bob Brown <bob@example.org>\nTo: issue_tracker@example.com\n${headers}${subject === null ? '' : `Subject: ${subject}\n`}\n${body}`);
}

describe('mail gateway: bounces, replies and ignored mail', () => {
  let t: GatewayTracker;
  beforeEach(async () => {
    t = await importedTracker();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const issueCount = () => t.read(async (db) => (await db.getclass('issue').getnodeids()).length);

  it('sends "Failed issue tracker submission" from the tracker with Roundup headers, the original attached unchanged', async () => {
    await t.process(UNKNOWN);
    const [entry] = parseDebugFile(readFileSync(t.debugFile, 'utf8'));
    assert.equal(entry!.sender, 'roundup-admin@example.com');
    const [bounce] = await t.sent();
    const headers = bounce!.parsed.headers;
    assert.equal(bounce!.parsed.subject, 'Failed issue tracker submission');
    assert.equal(bounce!.parsed.from?.text, '"Roundup issue tracker" <roundup-admin@example.com>');
    assert.equal(bounce!.parsed.to && !Array.isArray(bounce!.parsed.to) && bounce!.parsed.to.text, 'stranger@elsewhere.test');
    assert.deepEqual([headers.get('x-roundup-loop'), headers.get('precedence')], ['hello', 'bulk']);
    assert.match(String((headers.get('content-type') as { value: string }).value), /^multipart\/mixed$/);
    assert.equal(bouncedOriginal(bounce!), UNKNOWN.toString('utf8'));
  });

  it('sends bounces to the dispatcher only, or to both, as error_messages_to says', async () => {
    t.tracker.config.set('main', 'dispatcher_email', 'dispatch@example.com');
    t.tracker.config.set('main', 'error_messages_to', 'dispatcher');
    const dispatcher = await t.process(UNKNOWN);
    assert.deepEqual(dispatcher.outcome === 'bounced' && dispatcher.recipients, ['dispatch@example.com']);
    t.tracker.config.set('main', 'error_messages_to', 'both');
    const both = await t.process(UNKNOWN);
    assert.deepEqual(both.outcome === 'bounced' && both.recipients, ['stranger@elsewhere.test', 'dispatch@example.com']);
    assert.deepEqual((await t.sent()).map((s) => s.recipients), [['dispatch@example.com'], ['stranger@elsewhere.test', 'dispatch@example.com']]);
  });

  it('answers a help subject with the gateway help, and stores nothing', async () => {
    const result = await t.process(message('', 'hElp'));
    assert.deepEqual(result.outcome === 'bounced' && [result.kind, result.subject, result.recipients], ['help', 'Mail Gateway Help', ['bob@example.org']]);
    const [reply] = await t.sent();
    assert.equal(reply!.parsed.subject, 'Mail Gateway Help');
    assert.equal(bodyText(reply!), `\n\n\nMail Gateway Help\n=================\n${GATEWAY_HELP}`);
    assert.equal(await issueCount(), 12);
  });

  it('bounces a mail without a subject', async () => {
    assert.equal((await t.process(message('', null))).outcome, 'bounced');
    assert.ok(bodyText((await t.sent())[0]!).startsWith('\n\nEmails to Roundup trackers must include a Subject: line!\n\n\n\nMail Gateway Help\n'));
  });

  for (const [what, headers, subject] of [
    ['X-Roundup-Loop (a tracker mail coming back)', 'X-Roundup-Loop: hello\n', 'Re: [issue] Testing...'],
    ['Precedence: bulk', 'Precedence: bulk\n', 'Re: [issue] Testing...'],
    ['Auto-Submitted: auto-generated', 'Auto-Submitted: Auto-Generated\n', 'Re: [issue] Testing...'],
    ['an autoreply subject', '', 'Re: [issue] Out of office AutoReply: Back next week'],
    ['the null sender', 'Return-Path: <>\n', 'Delivery Status Notification (Failure)'],
  ] as const) {
    it(`ignores automatic mail (${what}): nothing stored, nothing sent`, async () => {
      const result = await t.process(message(headers, subject));
      assert.equal(result.outcome, 'ignored');
      assert.deepEqual(await t.sent(), []);
      assert.equal(await issueCount(), 12);
    });
  }

  it('never answers its own bounce: a bounce sent back to the tracker is ignored', async () => {
    await t.process(UNKNOWN);
    const [entry] = parseDebugFile(readFileSync(t.debugFile, 'utf8'));
    const result = await t.process(Buffer.from(entry!.message.replace(/^To: .*$/m, 'To: issue_tracker@example.com')));
    assert.deepEqual(result, { outcome: 'ignored', reason: 'it carries X-Roundup-Loop (a tracker sent it)' });
    assert.equal((await t.sent()).length, 1);
  });

  it('handles a human mail with Auto-Submitted: no', async () => {
    const result = await t.process(message('Auto-submitted:   No  \n', '[keyword1] Testing... [name=Bar]'));
    assert.equal(result.outcome, 'stored');
  });

  it('bounces a mail whose MIME cannot be read at all, to its sender found in the raw headers', async () => {
    const raw = Buffer.from(`From: Bob <bob@example.org>\nSubject: x\nX-Filler: ${'y'.repeat(1024 * 1024 + 10)}\n\nbody\n`);
    const result = await t.process(raw);
    assert.deepEqual(result.outcome === 'bounced' && [result.kind, result.recipients], ['malformed', ['bob@example.org']]);
    assert.ok(bodyText((await t.sent())[0]!).startsWith('\n\nYour message could not be read: the message could not be read as MIME: '));
    assert.equal(await issueCount(), 12);
  });

  it('sends the bounce of a sender the mailer cannot write to (a local name) to the dispatcher, saying so', async () => {
    const result = await t.process(Buffer.from('From: bob\nTo: issue_tracker@example.com\nSubject: [bogus1] x\n\ntext\n'));
    assert.deepEqual(result.outcome === 'bounced' && [result.kind, result.recipients], ['usage', ['roundup-admin@example.com']]);
    assert.match((result as { notice: string }).notice, /^the bounce could not be addressed to bob \(Invalid mail address "bob"\); it was sent to roundup-admin@example\.com$/);
    const [bounce] = await t.sent();
    assert.ok(bodyText(bounce!).startsWith('\nThis bounce could not be sent to bob: Invalid mail address "bob".\n\n\nThe message you sent to roundup did not contain a properly formed subject'));
  });

  it('reports a mail without any sender to the dispatcher', async () => {
    const result = await t.process(Buffer.from('To: issue_tracker@example.com\nSubject: [issue] who am I\n\ntext\n'));
    assert.deepEqual(result.outcome === 'bounced' && [result.kind, result.recipients], ['no-sender', ['roundup-admin@example.com']]);
  });

  it('reports an empty message to the dispatcher', async () => {
    const result = await t.process(Buffer.alloc(0));
    assert.deepEqual(result.outcome === 'bounced' && [result.kind, result.recipients], ['no-sender', ['roundup-admin@example.com']]);
  });

  it('keeps mail for later while [pgp] enable is set (it cannot be verified here)', async () => {
    t.tracker.config.set('pgp', 'enable', 'yes');
    const result = await t.process(fixtureMail('01-new-plain.eml'));
    assert.equal(result.outcome, 'tempfail');
    assert.match((result as { reason: string }).reason, /\[pgp\] enable is set/);
    assert.equal(await issueCount(), 12);
  });
});
