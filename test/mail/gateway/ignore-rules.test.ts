import assert from 'node:assert/strict';
import { automaticMessageReason } from '../../../lib/mail/gateway/ignore-rules.js';
import { parseMail } from '../../../lib/mail/gateway/mime-message.js';
import { mail } from './gateway-fixtures.js';

async function reason(headers: string, subject = 'Re: [issue] Testing...'): Promise<string | null> {
  const parsed = await parseMail(mail(`From: Chef <chef@bork.bork.bork>\n${headers}To: issue_tracker@example.com\nSubject: ${subject}\n\nHi.\n`));
  return automaticMessageReason(parsed.headers, subject);
}

describe('mail gateway: automatic mail is ignored', () => {
  it('ignores mail carrying X-Roundup-Loop (a tracker mail coming back)', async () => {
    assert.equal(await reason('X-Roundup-Loop: hello\n'), 'it carries X-Roundup-Loop (a tracker sent it)');
  });

  it('ignores Precedence: bulk, in any case, but not Precedence: list', async () => {
    assert.equal(await reason('Precedence: bulk\n'), 'it has Precedence: bulk');
    assert.equal(await reason('Precedence: Bulk\n'), 'it has Precedence: bulk');
    assert.equal(await reason('Precedence: list\n'), null);
  });

  it('ignores Auto-Submitted other than no, with or without a comment', async () => {
    assert.equal(await reason('Auto-Submitted: Auto-Generated\n'), 'it has Auto-Submitted: auto-generated');
    assert.equal(await reason('Auto-Submitted: auto-replied (vacation)\n'), 'it has Auto-Submitted: auto-replied (vacation)');
    assert.equal(await reason('Auto-submitted:   No  \n'), null);
    assert.equal(await reason('Auto-Submitted: no (a person wrote this)\n'), null);
  });

  it('ignores autoreply subjects, wherever the word is', async () => {
    assert.equal(await reason('', 'Re: [issue] Out of office AutoReply: Back next week'), 'its subject says it is an autoreply');
    assert.equal(await reason('', 'Autoreply: away'), 'its subject says it is an autoreply');
  });

  it('ignores mail sent with the null sender (RFC 3834), not mail with a return path', async () => {
    assert.equal(await reason('Return-Path: <>\n'), 'it was sent with the null sender (Return-Path: <>)');
    assert.equal(await reason('Return-Path: <chef@bork.bork.bork>\n'), null);
  });

  it('lets mail written by a person through', async () => {
    assert.equal(await reason(''), null);
  });
});
