import assert from 'node:assert/strict';
import { SubmittedForm } from '../../../lib/web/form/form-data.js';
import { guessMimeType, uploadMimeType } from '../../../lib/web/form/mime-guess.js';

describe('web submitted forms', () => {
  it('keeps repeated values in order and finds "@" names under their ":" spelling', () => {
    const form = SubmittedForm.fromQuery('?:action=edit&nosy=1&nosy=2&@template=item&:template=other');
    assert.equal(form.get('@action'), 'edit');
    assert.deepEqual(form.getAll('nosy'), ['1', '2']);
    assert.equal(form.get('@template'), 'item');
    assert.equal(form.has(':action'), true);
    assert.equal(form.has('action'), false);
    assert.equal(form.get('missing'), undefined);
    assert.deepEqual(form.getAll('missing'), []);
  });
});

describe('web upload types', () => {
  it('keeps the browser type unless it is missing or octet-stream, then guesses from the name', () => {
    assert.equal(uploadMimeType('x.bin', 'image/png'), 'image/png');
    assert.equal(uploadMimeType('x.txt', 'Text/Plain; charset=UTF-8'), 'text/plain');
    assert.equal(uploadMimeType('fix.patch', 'application/octet-stream'), 'text/x-patch');
    assert.equal(uploadMimeType('main.c', ''), 'text/x-csrc');
    assert.equal(uploadMimeType('archive.unknownext', null), 'application/octet-stream');
    assert.equal(guessMimeType('PHOTO.JPG'), 'image/jpeg');
    assert.equal(guessMimeType('noextension'), null);
    assert.equal(guessMimeType('trailingdot.'), null);
  });
});
