/**
 * Property options and the properties classes get automatically:
 * default_value and required (getRequiredProps), quiet, try_id_parsing,
 * rev_multilink (computed, readable, filterable, never settable), label and
 * order properties, and what IssueClass and FileClass add (Roundup's
 * testDefault_Value, testLabelProp and the rev_multilink tests of
 * test/db_test_base.py), on both backends.
 */
import assert from 'node:assert/strict';
import { Interval } from '../../lib/hyperdb/interval.js';
import { type PointerProperty, propertyConstructors } from '../../lib/hyperdb/properties.js';
import { rawToHyperdb } from '../../lib/hyperdb/raw-values.js';
import { ClassDef, Schema } from '../../lib/hyperdb/schema.js';
import { BACKENDS, rejectsWith, throwsWith, useTracker } from './hyperdb-fixtures.js';

describe('hyperdb class definitions', () => {
  const { String, Link, Number } = propertyConstructors;

  it('accepts class names starting with a letter and ending with a letter or _, and refuses others', () => {
    for (const name of ['issue', 'a', 'file_nidx', 'x1y', 'my_class_']) assert.equal(new ClassDef(name, 'class', {}).name, name);
    for (const name of ['1issue', 'issue1', '_issue', 'is-sue', 'is sue', '']) {
      throwsWith(
        () => new ClassDef(name, 'class', {}),
        'RUP_ERR_SCHEMA',
        `Class name ${name} is not valid. It must start with a letter, end with a letter or "_", and only have alphanumerics and "_" in the middle.`,
      );
    }
  });

  it('refuses to define the automatic properties and a second class of the same name', () => {
    for (const reserved of ['creation', 'activity', 'creator', 'actor']) {
      throwsWith(
        () => new ClassDef('thing', 'class', { [reserved]: String() }),
        'RUP_ERR_SCHEMA',
        'class thing: "creation", "activity", "creator" and "actor" are reserved',
      );
    }
    throwsWith(() => new ClassDef('thing', 'class', { id: String() }), 'RUP_ERR_SCHEMA', 'class thing: "id" is reserved');
    const schema = new Schema();
    schema.addClass(new ClassDef('thing', 'class', {}));
    throwsWith(() => schema.addClass(new ClassDef('thing', 'class', {})), 'RUP_ERR_SCHEMA', 'Class "thing" already defined.');
  });

  it('takes only a String as key and only existing classes as link targets', () => {
    const cls = new ClassDef('thing', 'class', { name: String(), order: Number(), owner: Link('nobody') });
    throwsWith(() => cls.setkey('order'), 'RUP_ERR_SCHEMA', 'class thing: key properties must be String');
    throwsWith(() => cls.setkey('fubar'), 'RUP_ERR_SCHEMA', 'class thing: key property "fubar" does not exist');
    cls.setkey('name');
    assert.equal(cls.getkey(), 'name');
    const schema = new Schema();
    schema.addClass(cls);
    throwsWith(() => schema.finalize(), 'RUP_ERR_SCHEMA', 'property thing.owner links to non-existent class nobody');
  });
});

for (const backend of BACKENDS) {
  describe(`hyperdb property options (${backend})`, () => {
    const h = useTracker(backend);

    describe('default_value and required', () => {
      it('fills properties left out on create with their default_value, and keeps given values (null included)', async () => {
        const db = await h.open();
        const plain = await db.getclass('gadget').create({ name: 'plain' });
        const given = await db.getclass('gadget').create({ name: 'given', size: 7, weight: null, fragile: false, warranty: Interval.parse('2m') });
        const issue = await db.getclass('issue').create({ title: 'spam' });
        await db.commit();
        const db2 = await h.open();
        const a = await db2.getclass('gadget').getnode(plain);
        assert.deepEqual(
          [a.size, a.weight, a.fragile, String(a.warranty), a.label, a.labels],
          [3, 1.5, true, '+ 1y', null, []],
        );
        const b = await db2.getclass('gadget').getnode(given);
        assert.deepEqual([b.size, b.weight, b.fragile, String(b.warranty)], [7, null, false, '+ 2m']);
        assert.equal(String(await db2.getclass('issue').get(issue, 'foo')), '- 7d');
        assert.equal(String(db2.getclass('issue').getprops().get('foo')!.getDefaultValue()), '- 7d');
      });

      it('lists required properties with getRequiredProps, names asked for first, without enforcing them on create', async () => {
        const db = await h.open();
        const def = db.getclass('gadget').def;
        assert.deepEqual([...def.getRequiredProps().keys()], ['name', 'weight']);
        assert.deepEqual([...def.getRequiredProps(['size']).keys()], ['size', 'name', 'weight']);
        assert.deepEqual([...db.getclass('stuff').def.getRequiredProps().keys()], []);
        throwsWith(() => def.getRequiredProps(['bogus']), 'RUP_ERR_NO_SUCH_PROPERTY', 'gadget has no property "bogus"');
        const id = await db.getclass('gadget').create({ size: 1 });
        assert.equal(await db.getclass('gadget').get(id, 'name'), null);
      });

      it('records quiet on the property', () => {
        const props = h.t.tracker.schema.getClass('gadget').getprops();
        assert.deepEqual(
          [...props].filter(([, p]) => p.quiet).map(([n]) => n),
          ['weight'],
        );
        assert.equal(h.t.tracker.schema.getClass('issue').prop('nosy').quiet, true);
      });
    });

    describe("try_id_parsing 'no'", () => {
      it('treats numeric raw input as key values while typed values stay ids', async () => {
        const db = await h.open();
        const two = await db.getclass('mls').create({ name: '2' });
        assert.equal(two, '3');
        const ctx = await db.rawContext();
        const gadget = db.schema.getClass('gadget');
        assert.equal(await rawToHyperdb(ctx, gadget, null, 'label', '2'), '3');
        assert.deepEqual(await rawToHyperdb(ctx, gadget, null, 'labels', '2,unread_1'), ['1', '3']);
        await rejectsWith(rawToHyperdb(ctx, gadget, null, 'label', '99'), 'RUP_ERR_VALUE', "property label: '99' is not a mls.");
        await rejectsWith(rawToHyperdb(ctx, gadget, null, 'label', '-1'), 'RUP_ERR_VALUE', "property label: '-1' is not a mls.");
        const id = await db.getclass('gadget').create({ name: 'g', label: await rawToHyperdb(ctx, gadget, null, 'label', '2'), labels: ['3', '1'] });
        await db.commit();
        const db2 = await h.open();
        assert.equal(await db2.getclass('gadget').get(id, 'label'), '3');
        assert.deepEqual(await db2.getclass('gadget').get(id, 'labels'), ['1', '3']);
        assert.equal((db2.getclass('gadget').getprops().get('label') as PointerProperty).tryIdParsing, false);
      });
    });

    describe('rev_multilink', () => {
      it('lists the active items pointing at an item, also within the unit of work that changed them', async () => {
        const db = await h.open();
        const newbie = await db.getclass('user').create({ username: 'newbie' });
        assert.deepEqual(await db.getclass('user').get(newbie, 'issues'), []);
        assert.deepEqual((await db.getclass('user').getnode(newbie)).nosy_issues, []);
        assert.deepEqual(await db.getclass('user').get('2', 'issues'), []);
        const i1 = await db.getclass('issue').create({ title: 'one', assignedto: '2', nosy: ['1', '2'] });
        const i2 = await db.getclass('issue').create({ title: 'two', assignedto: newbie, nosy: ['2'] });
        assert.deepEqual(await db.getclass('user').get('2', 'issues'), [i1]);
        assert.deepEqual(await db.getclass('user').get('2', 'nosy_issues'), [i1, i2]);
        assert.deepEqual(await db.getclass('user').get(newbie, 'issues'), [i2]);
        await db.getclass('issue').set(i1, { assignedto: newbie, nosy: ['1'] });
        assert.deepEqual(await db.getclass('user').get(newbie, 'issues'), [i1, i2]);
        assert.deepEqual(await db.getclass('user').get('2', 'nosy_issues'), [i2]);
        await db.getclass('issue').retire(i2);
        assert.deepEqual(await db.getclass('user').get(newbie, 'issues'), [i1]);
        await db.commit();

        const db2 = await h.open();
        assert.deepEqual(await db2.getclass('user').get(newbie, 'issues'), [i1]);
        assert.deepEqual(await db2.getclass('user').get('1', 'nosy_issues'), [i1]);
        assert.deepEqual(await db2.getclass('user').get('2', 'nosy_issues'), []);
        await db2.getclass('issue').restore(i2);
        assert.deepEqual(await db2.getclass('user').get('2', 'nosy_issues'), [i2]);
      });

      it('can be filtered on, -1 meaning no active item points at it', async () => {
        const db = await h.open();
        const pete = await db.getclass('user').create({ username: 'pete' });
        const i1 = await db.getclass('issue').create({ title: 'one', assignedto: '2', nosy: ['1', '2'] });
        const i2 = await db.getclass('issue').create({ title: 'two', assignedto: '2', nosy: ['1'] });
        await db.commit();
        const db2 = await h.open();
        const user = db2.getclass('user');
        assert.deepEqual(await user.filter(null, { issues: i1 }), ['2']);
        assert.deepEqual(await user.filter(null, { nosy_issues: i2 }), ['1']);
        assert.deepEqual(await user.filter(null, { nosy_issues: [i1, i2] }), ['1', '2']);
        assert.deepEqual(await user.filter(null, { issues: '-1' }), ['1', pete]);
        await db2.getclass('issue').retire(i1);
        await db2.getclass('issue').retire(i2);
        assert.deepEqual(await user.filter(null, { issues: '-1' }), ['1', '2', pete]);
      });

      it('cannot be set by create, set or rawToHyperdb', async () => {
        const db = await h.open();
        const issue = await db.getclass('issue').create({ title: 'one' });
        await rejectsWith(db.getclass('user').create({ username: 'x', issues: [issue] }), 'RUP_ERR_VALUE', 'property issues is computed and cannot be set');
        await rejectsWith(db.getclass('user').set('2', { nosy_issues: [issue] }), 'RUP_ERR_VALUE', 'property nosy_issues is computed and cannot be set');
        await rejectsWith(
          rawToHyperdb(await db.rawContext(), db.schema.getClass('user'), '2', 'issues', issue),
          'RUP_ERR_VALUE',
          'property issues is computed and cannot be set',
        );
        await db.commit();
        const db2 = await h.open();
        assert.deepEqual(await db2.getclass('user').list(), ['1', '2']);
        assert.deepEqual(await db2.getclass('user').get('2', 'nosy_issues'), []);
      });
    });

    describe('label and order properties', () => {
      it("resolves the label property in Roundup's order: key, name, title, then the first name or id", () => {
        const schema = h.t.tracker.schema;
        assert.equal(schema.getClass('status').labelprop(), 'name');
        assert.equal(schema.getClass('user').labelprop(), 'username');
        assert.equal(schema.getClass('issue').labelprop(), 'title');
        assert.equal(schema.getClass('file').labelprop(), 'name');
        assert.equal(schema.getClass('stuff').labelprop(true), 'id');
        assert.equal(schema.getClass('stuff').labelprop(), 'activity');
      });

      it('resolves the order property: order, then the label property', () => {
        const schema = h.t.tracker.schema;
        assert.equal(schema.getClass('keyword').orderprop(), 'order');
        assert.equal(schema.getClass('priority').orderprop(), 'order');
        assert.equal(schema.getClass('status').orderprop(), 'name');
        assert.equal(schema.getClass('issue').orderprop(), 'title');
      });
    });
  });

  describe(`hyperdb automatic class properties (classic, ${backend})`, () => {
    const h = useTracker(backend, 'classic');

    it('gives an IssueClass title, messages, files, nosy (not journalled on the user) and superseder', async () => {
      const issue = h.t.tracker.schema.getClass('issue');
      const summary = (name: string) => {
        const p = issue.prop(name);
        return p.kind === 'Link' || p.kind === 'Multilink' ? `${p.kind} ${p.target} journal:${p.doJournal}` : `${p.kind} indexme:${(p as { indexme: boolean }).indexme}`;
      };
      assert.deepEqual(
        ['title', 'messages', 'files', 'nosy', 'superseder'].map(summary),
        ['String indexme:true', 'Multilink msg journal:true', 'Multilink file journal:true', 'Multilink user journal:false', 'Multilink issue journal:true'],
      );
      const db = await h.open();
      const id = await db.getclass('issue').create({ title: 'spam' });
      await db.commit();
      const db2 = await h.open();
      const node = await db2.getclass('issue').getnode(id);
      assert.deepEqual([node.title, node.messages, node.files, node.nosy, node.superseder], ['spam', [], [], [], []]);
    });

    it('gives a FileClass content (indexed) and type', () => {
      for (const cn of ['msg', 'file']) {
        const cls = h.t.tracker.schema.getClass(cn);
        assert.equal(cls.prop('content').kind, 'String');
        assert.equal((cls.prop('content') as { indexme: boolean }).indexme, true);
        assert.equal(cls.prop('type').kind, 'String');
      }
    });
  });
}
