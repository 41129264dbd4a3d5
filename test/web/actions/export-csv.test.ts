import assert from 'node:assert/strict';
import { isRupError } from '../../../lib/errors.js';
import { DateTime } from '../../../lib/hyperdb/date.js';
import { exportCsvAction, exportCsvIdAction } from '../../../lib/web/actions/export-csv.js';
import type { WebAction } from '../../../lib/web/web-types.js';
import { type WebTestTracker, createWebTestTracker, makeForm, webRequest } from '../web-fixtures.js';
import { skipWithoutBackend } from '../../support/trackers.js';

const HEADER = '"id","title","status","keyword","assignedto","nosy"\r\n';

for (const backend of ['sqlite', 'postgresql'] as const) describe(`web actions export_csv and export_csv_id (Roundup ExportCSVAction) [${backend}]`, function () {
  before(function () {
    return skipWithoutBackend(this, backend);
  });
  let tt: WebTestTracker;
  let demo: string;
  let demoPassword: string;

  before(async () => {
    tt = await createWebTestTracker({ backend });
    const setup = await tt.admin();
    demo = await setup.getclass('user').create({ username: 'demo', address: 'demo@test.test', roles: 'User', realname: 'demo', password: 'foo' });
    demoPassword = (await setup.getclass('user').get(demo, 'password')) as string;
    const k1 = await setup.getclass('keyword').create({ name: 'keyword1' });
    const k2 = await setup.getclass('keyword').create({ name: 'keyword2' });
    const issue = setup.getclass('issue');
    await issue.create({ title: 'foo1ä', status: '2', assignedto: tt.mary, nosy: [tt.chef, demo] });
    await issue.create({ title: 'bar2', status: '1', assignedto: tt.chef, keyword: [k1, k2] });
    await issue.create({ title: 'baz32', status: '4' });
    const test = setup.getclass('test');
    await test.create({ string: 'a "quoted" word', number: 3, intval: -2, boolean: true, date: DateTime.parse('2003-01-01') });
    await test.create({ date: DateTime.parse('2003-01-01.10:30') });
    await setup.commit();
    await setup.close();
  });
  after(async () => {
    await tt?.cleanup();
  });

  async function exportAs(action: WebAction, userid: string, classname: string, fields: Record<string, string>) {
    const db = await tt.open(userid);
    try {
      return await action.run(webRequest(tt, db, { method: 'GET', form: makeForm(fields), target: { classname, template: 'index' } }));
    } finally {
      await db.close();
    }
  }

  async function csv(action: WebAction, userid: string, classname: string, fields: Record<string, string>): Promise<Buffer> {
    const outcome = await exportAs(action, userid, classname, fields);
    assert.equal(outcome.kind, 'response');
    return (outcome as { body: Buffer }).body;
  }

  const columns = { '@columns': 'id,title,status,keyword,assignedto,nosy' };

  it('exports names, sorted and joined with ";", every field quoted, as text/csv', async () => {
    const outcome = await exportAs(exportCsvAction, '1', 'issue', columns);
    assert.deepEqual(outcome, {
      kind: 'response',
      status: 200,
      headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'inline; filename=query.csv' },
      body: Buffer.from(
        HEADER +
          '"1","foo1ä","deferred","","Contrary, Mary","Bork, Chef;Contrary, Mary;demo"\r\n' +
          '"2","bar2","unread","keyword1;keyword2","Bork, Chef","Bork, Chef"\r\n' +
          '"3","baz32","need-eg","","",""\r\n',
      ),
    });
  });

  it('exports ids and Python-style lists', async () => {
    assert.equal(
      (await csv(exportCsvIdAction, '1', 'issue', columns)).toString(),
      HEADER + `"1","foo1ä","2","[]","4","['3', '4', '5']"\r\n` + `"2","bar2","1","['1', '2']","3","['3']"\r\n` + '"3","baz32","4","[]","None","[]"\r\n',
    );
    assert.equal(
      (await csv(exportCsvIdAction, '1', 'status', { '@columns': 'id,name' })).toString(),
      '"id","name"\r\n"1","unread"\r\n"2","deferred"\r\n"3","chatting"\r\n"4","need-eg"\r\n"5","in-progress"\r\n"6","testing"\r\n"7","done-cbb"\r\n"8","resolved"\r\n',
    );
  });

  it('encodes for @charset=iso-8859-1', async () => {
    const body = await csv(exportCsvAction, '1', 'issue', { ...columns, '@filter': 'id', id: '1' });
    assert.deepEqual(body, Buffer.from(HEADER + '"1","foo1ä","deferred","","Contrary, Mary","Bork, Chef;Contrary, Mary;demo"\r\n'));
    const latin = await exportAs(exportCsvAction, '1', 'issue', { ...columns, '@filter': 'id', id: '1', '@charset': 'iso-8859-1' });
    assert.equal((latin as { headers: Record<string, string> }).headers['Content-Type'], 'text/csv; charset=iso-8859-1');
    assert.deepEqual((latin as { body: Buffer }).body, Buffer.from(HEADER + '"1","foo1\xe4","deferred","","Contrary, Mary","Bork, Chef;Contrary, Mary;demo"\r\n', 'latin1'));
  });

  it('follows the filter, sort and full-text search of the index query', async () => {
    assert.equal((await csv(exportCsvAction, '1', 'issue', { '@columns': 'id', '@filter': 'status', status: 'unread,deferred', '@sort': '-id' })).toString(), '"id"\r\n"2"\r\n"1"\r\n');
    assert.equal((await csv(exportCsvAction, '1', 'issue', { '@columns': 'id,title', '@search_text': 'baz32' })).toString(), '"id","title"\r\n"3","baz32"\r\n');
  });

  it('writes dates in the user zone, numbers and booleans as Roundup does', async () => {
    assert.equal(
      (await csv(exportCsvAction, '1', 'test', { '@columns': 'string,number,intval,boolean,date' })).toString(),
      '"string","number","intval","boolean","date"\r\n"a ""quoted"" word","3.0","-2","True","2003-01-01"\r\n"","","","","2003-01-01 10:30"\r\n',
    );
  });

  it('hides what a User may not view (Roundup testCSVExportFailPermissionValidColumn)', async () => {
    assert.equal(
      (await csv(exportCsvAction, demo, 'user', { '@columns': 'id,username,address,password' })).toString(),
      '"id","username","address","password"\r\n' +
        '"1","admin","[hidden]","[hidden]"\r\n' +
        '"2","anonymous","[hidden]","[hidden]"\r\n' +
        '"3","Chef","[hidden]","[hidden]"\r\n' +
        '"4","mary","[hidden]","[hidden]"\r\n' +
        `"5","demo","demo@test.test","${demoPassword}"\r\n`,
    );
  });

  it('hides links into classes the user may not view', async () => {
    assert.equal((await csv(exportCsvAction, '2', 'issue', { '@columns': 'id,assignedto,status', '@filter': 'id', id: '1' })).toString(), '"id","assignedto","status"\r\n"1","[hidden]","deferred"\r\n');
  });

  it('refuses unknown columns with 400 before writing anything', async () => {
    for (const action of [exportCsvAction, exportCsvIdAction]) {
      await assert.rejects(
        exportAs(action, '1', 'status', { '@columns': 'falseid,name' }),
        (err) => isRupError(err, 'RUP_ERR_NO_SUCH_PROPERTY') && err.status === 400 && err.message === 'Column "falseid" not found in status',
      );
    }
  });

  it('refuses classes the user may not view (403)', async () => {
    await assert.rejects(exportAs(exportCsvAction, '2', 'user', { '@columns': 'id,email,password' }), (err) => isRupError(err, 'RUP_ERR_PERMISSION') && err.message === 'You do not have permission to export the user class.');
  });

  it('ends the ids export at the first cell the user may not view (Roundup testCSVExportWithIdFailPermissionValidColumn)', async () => {
    await assert.rejects(exportAs(exportCsvIdAction, demo, 'user', { '@columns': 'id,address,password' }), (err) => isRupError(err, 'RUP_ERR_PERMISSION') && err.message === 'You do not have permission to view user');
  });
});
