import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isRupError } from '../../lib/errors.js';
import { scanNeeds } from '../../lib/web/render/template-needs.js';
import { TemplateRenderError, TemplateSet } from '../../lib/web/render/template-set.js';

function templateDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rup-templates-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('web/render/template-set', () => {
  const dirs: string[] = [];
  const make = (files: Record<string, string>) => {
    const dir = templateDir(files);
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('template selection (Roundup selectTemplate)', () => {
    let set: TemplateSet;
    before(() => {
      set = TemplateSet.load(
        make({
          'home.html': 'home',
          'home.classlist.html': 'classes',
          'issue.index.html': 'index',
          'issue.item.html': 'item',
          'issue.ok.html': 'ok',
          '_generic.err.html': 'err',
          '_generic.index.html': 'generic index',
          'sub/issue.view.html': 'sub view',
          'sub/_generic.other.html': 'sub other',
        }),
      );
    });

    it('picks <class>.<view>.html', () => {
      assert.equal(set.select('issue', 'index', false), 'issue.index.html');
      assert.equal(set.select('issue', 'item', false), 'issue.item.html');
    });

    it('falls back to _generic.<view>.html', () => {
      assert.equal(set.select('keyword', 'index', false), '_generic.index.html');
    });

    it('uses home.html for the home page and home.<view>.html with a view', () => {
      assert.equal(set.select(null, null, false), 'home.html');
      assert.equal(set.select(null, 'classlist', false), 'home.classlist.html');
    });

    it('picks the ok or the error template of "ok|err" by whether the request has errors', () => {
      assert.equal(set.select('issue', 'ok|err', false), 'issue.ok.html');
      assert.equal(set.select('issue', 'ok|err', true), '_generic.err.html');
    });

    it('looks in a subdirectory for dir/view, with its own _generic fallback', () => {
      assert.equal(set.select('issue', 'sub/view', false), 'sub/issue.view.html');
      assert.equal(set.select('user', 'sub/other', false), 'sub/_generic.other.html');
    });

    it('refuses a view without a template with Roundup\'s message (400)', () => {
      assert.throws(
        () => set.select('issue', 'nosuch', false),
        (err: unknown) =>
          isRupError(err, 'RUP_ERR_VALUE') &&
          err.status === 400 &&
          err.message === 'No template file exists for templating "issue" with template "nosuch" (neither "issue.nosuch" nor "_generic.nosuch")',
      );
    });

    it('never reaches outside the template set, whatever the view says', () => {
      for (const view of ['../issue.index', '../../etc/passwd', 'sub/../issue', '..', 'sub/..%2fx', '.hidden']) {
        assert.throws(() => set.select('issue', view, false), (err: unknown) => isRupError(err, 'RUP_ERR_VALUE'), view);
      }
    });
  });

  describe('checking templates when the tracker loads', () => {
    it('reports a syntax error with its file and line', () => {
      const dir = make({ 'ok.html': 'fine', 'bad.html': 'line 1\n{% if x %}\n{{ broken( }}\n' });
      assert.throws(
        () => TemplateSet.load(dir),
        (err: unknown) => isRupError(err, 'RUP_ERR_TEMPLATE') && err.message === `${join(dir, 'bad.html')}:3: unexpected token: }}` && err.location.line === 3,
      );
    });

    it('reports every broken template at once, missing extends and includes included', () => {
      const dir = make({
        'a.html': '{% extends "page.html" %}',
        'b.html': 'x\n{% include "_parts.html" %}',
        'c.html': '{% for %}',
      });
      const { problems } = TemplateSet.check(dir);
      assert.deepEqual(
        problems.map((p) => `${p.file.slice(dir.length + 1)}:${p.line}: ${p.reason}`),
        ['a.html:1: template "page.html" does not exist', 'b.html:2: template "_parts.html" does not exist', 'c.html:1: unexpected token: %}'],
      );
      assert.throws(() => TemplateSet.load(dir), (err: unknown) => isRupError(err, 'RUP_ERR_TEMPLATE') && err.message.startsWith('3 templates are broken:\n'));
    });

    it('compiles templates in subdirectories and skips hidden files', () => {
      const set = TemplateSet.load(make({ 'x/y.html': 'y', '.swap.html': '{% broken' }));
      assert.deepEqual(set.names(), ['x/y.html']);
    });
  });

  describe('rendering', () => {
    it('escapes values (autoescape on) and prints marked-safe helper output as it is', () => {
      const set = TemplateSet.load(make({ 't.html': '{{ text }}|{{ html }}' }));
      assert.equal(set.render('t.html', { text: '<b>&"', html: { toString: () => '<i>' } }), '&lt;b&gt;&amp;&quot;|&lt;i&gt;');
    });

    it('reports a render failure as TemplateRenderError with the file and the 1-based line', () => {
      const dir = make({ 'page.html': 'top\n{% block c %}{% endblock %}', 't.html': '{% extends "page.html" %}{% block c %}\nok\n{{ boom() }}{% endblock %}' });
      const set = TemplateSet.load(dir);
      assert.throws(
        () => set.render('t.html', { boom: () => { throw new Error('kaput'); } }),
        (err: unknown) => err instanceof TemplateRenderError && err.problem.file === join(dir, 't.html') && err.problem.line === 3 && err.problem.reason === 'kaput',
      );
    });
  });

  describe('what a template needs (read from its source)', () => {
    it('finds the batch, history, content, menus and class lists a template uses', () => {
      const needs = scanNeeds('{% set b = request.batch() %}{{ context.history() }}{{ m.content }}{{ context.status.menu() }}{{ i["superseder"].menu() }}{{ x.prop("nosy").menu() }}{% for k in db.keyword.list() %}{% endfor %}');
      assert.deepEqual(needs, { batch: true, history: true, content: true, menus: true, menuProps: new Set(['status', 'superseder', 'nosy']), lists: new Set(['keyword']) });
    });

    it('reads what a "load:" comment declares', () => {
      const needs = scanNeeds('{# load: batch, history content menu:superseder list:priority #}');
      assert.deepEqual(needs, { batch: true, history: true, content: true, menus: true, menuProps: new Set(['superseder']), lists: new Set(['priority']) });
    });

    it('adds up what a template extends, includes and imports', () => {
      const set = TemplateSet.load(
        make({
          'page.html': '{% include "side.html" %}{% block c %}{% endblock %}',
          'side.html': '{% for q in db.query.list() %}{% endfor %}',
          'macros.html': '{% macro h(c) %}{{ c.history() }}{% endmacro %}',
          'issue.item.html': '{% extends "page.html" %}{% import "macros.html" as m %}{% block c %}{{ m.h(context) }}{% endblock %}',
          'plain.html': 'nothing',
        }),
      );
      const needs = set.needs('issue.item.html');
      assert.equal(needs.history, true);
      assert.deepEqual(needs.lists, new Set(['query']));
      assert.equal(needs.batch, false);
      assert.deepEqual(set.needs('plain.html'), { batch: false, history: false, content: false, menus: false, menuProps: new Set(), lists: new Set() });
    });
  });
});
