import assert from 'node:assert/strict';
import {
  NOT_ASSIGNMENTS,
  isHelpSubject,
  parseSubject,
  registrationKey,
  splitAssignments,
  subjectDelimiters,
} from '../../../lib/mail/gateway/subject-grammar.js';

/** `[mailgw] refwd_re`'s default. */
const REFWD = /(\s*\W?\s*(fw|fwd|re|aw|sv|ang)\W)+/u;
const CLASSES = ['issue', 'msg', 'file', 'user', 'keyword', 'status', 'priority', 'query'];

function parse(subject: string, delimiters = '[]') {
  return parseSubject(subject, { refwd: REFWD, delimiters, classnames: CLASSES });
}

describe('mail gateway: subject grammar', () => {
  it('reads designator, title and property list of a plain follow-up', () => {
    assert.deepEqual(parse('[issue42] The title [status=resolved;priority=urgent]'), {
      subject: '[issue42] The title [status=resolved;priority=urgent]',
      refwd: null,
      quoted: false,
      hasPrefix: true,
      classname: 'issue',
      nodeid: '42',
      title: 'The title',
      args: 'status=resolved;priority=urgent',
      argsWhole: '[status=resolved;priority=urgent]',
    });
  });

  it('strips and remembers reply and forward markers, repeated and in any case', () => {
    for (const [subject, refwd] of [
      ['Re: [issue1] Testing...', 'Re:'],
      ['RE: Fwd: FW: [issue1] Testing...', 'RE: Fwd: FW:'],
      ['AW: Sv: Ang: [issue1] Testing...', 'AW: Sv: Ang:'],
      ['fwd:[issue1] Testing...', 'fwd:'],
    ] as const) {
      const parsed = parse(subject);
      assert.equal(parsed.refwd, refwd, subject);
      assert.equal(parsed.classname, 'issue');
      assert.equal(parsed.title, 'Testing...');
    }
    assert.equal(parse('Reply needed').refwd, null);
    assert.equal(parse('VeryStrangeRe: [keyword1] Testing.. [name=Bar]').refwd, null);
  });

  it('finds the designator anywhere, dropping what comes before it (a mailing list tag)', () => {
    const listTag = parse('[mailinglist-name] [keyword1] Testing.. [name=Bar]');
    assert.equal(listTag.classname, 'keyword');
    assert.equal(listTag.nodeid, '1');
    assert.equal(listTag.title, 'Testing..');
    assert.equal(listTag.hasPrefix, false, 'a tag with a dash is not a single-word prefix');
    const strange = parse('VeryStrangeRe: [keyword1] Testing.. [name=Bar]');
    assert.deepEqual([strange.classname, strange.nodeid, strange.title, strange.args], ['keyword', '1', 'Testing..', 'name=Bar']);
    const last = parse('New title [issue1]');
    assert.deepEqual([last.classname, last.nodeid, last.title, last.args], ['issue', '1', '', null]);
  });

  it('accepts blanks inside the designator and any case, returning the schema spelling of the class', () => {
    const parsed = parse('[ ISSUE 2 ] spaced out');
    assert.deepEqual([parsed.classname, parsed.nodeid, parsed.title], ['issue', '2', 'spaced out']);
    assert.deepEqual([parse('[Keyword] new').classname, parse('[Keyword] new').nodeid], ['keyword', null]);
    assert.equal(parse('[issue007] x').nodeid, '7');
  });

  it('keeps a bracketed word that is not a class in the title and marks the prefix', () => {
    const parsed = parse('[frobulated] testing');
    assert.equal(parsed.hasPrefix, true);
    assert.equal(parsed.classname, null);
    assert.equal(parsed.title, '[frobulated] testing');
    assert.equal(parsed.args, null);
  });

  it('reads a suffix only at the very end of the subject', () => {
    const inside = parse('testing [assignedto=mary] more text');
    assert.equal(inside.args, null);
    assert.equal(inside.title, 'testing [assignedto=mary] more text');
    const end = parse('testing [assignedto=mary]');
    assert.deepEqual([end.title, end.args, end.argsWhole], ['testing', 'assignedto=mary', '[assignedto=mary]']);
    const glued = parse('testing...[nosy=+alice]');
    assert.equal(glued.title, 'testing...', 'no character of the title is lost when the suffix follows it directly');
  });

  it('removes the quotes some mail programs put around the subject', () => {
    const quoted = parse('Re: "[issue1] Testing... "');
    assert.deepEqual([quoted.quoted, quoted.classname, quoted.title], [true, 'issue', 'Testing...']);
    const withArgs = parse('Re: "[issue1] bla blah [status=resolved]"');
    assert.deepEqual([withArgs.title, withArgs.args], ['bla blah', 'status=resolved']);
    const loose = parse('Re: "[frobulated] testing"');
    assert.equal(loose.title, '[frobulated] testing');
  });

  it('uses the configured delimiters for both prefix and suffix', () => {
    const braces = parse('{keyword1} Testing... {name=Bar}', '{}');
    assert.deepEqual([braces.classname, braces.nodeid, braces.title, braces.args], ['keyword', '1', 'Testing...', 'name=Bar']);
    const ignored = parse('testing [assignedto=mary]', '{}');
    assert.deepEqual([ignored.title, ignored.args, ignored.classname], ['testing [assignedto=mary]', null, null]);
    const dashes = parse('-issue3- title -status=open-', '--');
    assert.deepEqual([dashes.classname, dashes.nodeid, dashes.title, dashes.args], ['issue', '3', 'title', 'status=open']);
  });

  it('refuses delimiters that are not exactly two characters', () => {
    assert.deepEqual(subjectDelimiters('<>'), { open: '<', close: '>' });
    assert.throws(() => subjectDelimiters('['), (err: { code?: string; message?: string }) => err.code === 'RUP_ERR_CONFIG' && /two characters/.test(err.message ?? ''));
    assert.throws(() => parse('x', '[[]'), { code: 'RUP_ERR_CONFIG' });
  });

  it('matches longer class names before their prefixes', () => {
    const parsed = parseSubject('[issue_type4] x', { refwd: REFWD, delimiters: '[]', classnames: ['issue', 'issue_type'] });
    assert.deepEqual([parsed.classname, parsed.nodeid], ['issue_type', '4']);
  });

  it('splits property assignments, reporting the first part that is not name=value', () => {
    assert.deepEqual(splitAssignments('status=resolved;priority=urgent'), {
      assignments: [
        { name: 'status', value: 'resolved' },
        { name: 'priority', value: 'urgent' },
      ],
      formError: null,
    });
    assert.deepEqual(splitAssignments(' keyword =+ Foo,Baz This ; nosy =+ mary ').assignments, [
      { name: 'keyword', value: '+ Foo,Baz This ' },
      { name: 'nosy', value: '+ mary ' },
    ]);
    assert.deepEqual(splitAssignments('frobulated'), { assignments: [], formError: NOT_ASSIGNMENTS });
    assert.equal(splitAssignments('title=a=b').formError, NOT_ASSIGNMENTS);
    assert.equal(NOT_ASSIGNMENTS, 'not of form [arg=value,value,...;arg=value,value,...]');
  });

  it('recognises a help subject in any case, and only as the whole subject', () => {
    assert.equal(isHelpSubject('hElp'), true);
    assert.equal(isHelpSubject('  HELP '), true);
    assert.equal(isHelpSubject('help me'), false);
  });

  it('finds a registration key of Roundup (32 alphanumerics) or of our web layer (URL-safe base64)', () => {
    assert.equal(registrationKey('Complete your registration to Roundup issue tracker -- key Aj4euk4LZSAdwePohj90SME5SpopLETL'), 'Aj4euk4LZSAdwePohj90SME5SpopLETL');
    const ours = 'Xy_-0123456789abcdefghijklmnopqrstuvwxyzABC';
    assert.equal(registrationKey(`Complete your registration to T -- key ${ours}`), ours);
    assert.equal(registrationKey('-- key short'), null);
    assert.equal(registrationKey('no key here'), null);
  });
});
