import assert from 'node:assert/strict';
import { FieldNameGrammar, type FieldLabel } from '../../../lib/web/form/field-names.js';

const grammar = new FieldNameGrammar(['test', 'issue', 'msg', 'file', 'user']);

/** Roundup's test_cgi `tl(s, c, i, a, p)`: class, id, action and property of a field name. */
function tl(name: string, classname: string | null, id: string | null, action: string | null, propname: string | null): void {
  const label = grammar.parse(name) as FieldLabel;
  assert.ok(label, `${name} should be in the grammar`);
  assert.equal(label.classname, classname, `${name}: class`);
  assert.equal(label.id, id, `${name}: id`);
  const kind = label.special ?? label.action;
  assert.equal(kind, action, `${name}: action`);
  assert.equal(label.propname, propname, `${name}: property`);
}

describe('web form field names (Roundup FV_LABELS)', () => {
  it('reads every label form of Roundup testLabelMatching, with ":" spellings', () => {
    tl('<propname>', null, null, null, '<propname>');
    tl(':required', null, null, 'required', null);
    tl(':confirm:<propname>', null, null, 'confirm', '<propname>');
    tl(':add:<propname>', null, null, 'add', '<propname>');
    tl(':remove:<propname>', null, null, 'remove', '<propname>');
    tl(':link:<propname>', null, null, 'link', '<propname>');
    tl('test1:<prop>', 'test', '1', null, '<prop>');
    tl('test1:required', 'test', '1', 'required', null);
    tl('test1:add:<prop>', 'test', '1', 'add', '<prop>');
    tl('test1:remove:<prop>', 'test', '1', 'remove', '<prop>');
    tl('test1:link:<prop>', 'test', '1', 'link', '<prop>');
    tl('test1:confirm:<prop>', 'test', '1', 'confirm', '<prop>');
    tl('test-1:<prop>', 'test', '-1', null, '<prop>');
    tl('test-1:required', 'test', '-1', 'required', null);
    tl('test-1:add:<prop>', 'test', '-1', 'add', '<prop>');
    tl('test-1:remove:<prop>', 'test', '-1', 'remove', '<prop>');
    tl('test-1:link:<prop>', 'test', '-1', 'link', '<prop>');
    tl('test-1:confirm:<prop>', 'test', '-1', 'confirm', '<prop>');
    tl(':note', null, null, 'note', null);
    tl(':file', null, null, 'file', null);
  });

  it('reads the "@" spellings the same way', () => {
    tl('@note', null, null, 'note', null);
    tl('@file', null, null, 'file', null);
    tl('@required', null, null, 'required', null);
    tl('issue42@title', 'issue', '42', null, 'title');
    tl('msg-1@content', 'msg', '-1', null, 'content');
    tl('issue-2@link@superseder', 'issue', '-2', 'link', 'superseder');
    tl('@add@nosy', null, null, 'add', 'nosy');
    tl('@confirm@password', null, null, 'confirm', 'password');
    tl('user5@realname', 'user', '5', null, 'realname');
  });

  it('reads other special variables as property names a class will not have', () => {
    tl('@action', null, null, null, 'action');
    tl('@csrf', null, null, null, 'csrf');
  });

  it('rejects names that are not in the grammar', () => {
    assert.equal(grammar.parse('title@'), null);
    assert.equal(grammar.parse('@add@'), null);
    assert.equal(grammar.parse(''), null);
    assert.equal(grammar.parse('a@b@c'), null);
  });

  it('splits designators of known classes only', () => {
    assert.deepEqual(grammar.designatorOf('issue-1'), { classname: 'issue', id: '-1' });
    assert.deepEqual(grammar.designatorOf('msg12'), { classname: 'msg', id: '12' });
    assert.equal(grammar.designatorOf('blah'), null);
    assert.equal(grammar.designatorOf('issue'), null);
    assert.equal(grammar.designatorOf('keyword1'), null);
  });
});
