import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateSet } from '../../../lib/web/render/template-set.js';
import { repoRoot } from '../../support/paths.js';

/**
 * The template files themselves: they compile, they keep to the
 * Content-Security-Policy (no inline script or style), and the files the
 * classic and minimal templates share stay the same.
 */

const TEMPLATES = ['classic', 'minimal'] as const;
const htmlDir = (template: string) => join(repoRoot, 'templates', template, 'html');
/** Our files (the `_generic.*` pages are the request handler's). */
const ours = (template: string) => readdirSync(htmlDir(template)).filter((f) => f.endsWith('.html') && !f.startsWith('_generic.'));

describe('classic and minimal template files', () => {
  for (const template of TEMPLATES) {
    it(`every ${template} template compiles, with no missing extends, include or import`, () => {
      const { set, problems } = TemplateSet.check(htmlDir(template));
      assert.deepEqual(problems, []);
      assert.ok(set.has('page.html'));
      assert.ok(set.has('home.html'));
    });

    it(`no ${template} template holds inline script, style or event handler attributes`, () => {
      for (const file of ours(template)) {
        const source = readFileSync(join(htmlDir(template), file), 'utf8');
        assert.doesNotMatch(source, /<script(?![^>]*\ssrc=)[^>]*>/i, `${file} has an inline <script>`);
        assert.doesNotMatch(source, /<style[\s>]/i, `${file} has a <style> element`);
        assert.doesNotMatch(source, /\sstyle="/i, `${file} has a style attribute`);
        assert.doesNotMatch(source, /\son[a-z]+="/i, `${file} has an event handler attribute`);
        assert.doesNotMatch(source, /javascript:/i, `${file} has a javascript: URL`);
      }
    });

    it(`every ${template} page template extends page.html`, () => {
      const pages = ours(template).filter((f) => !['page.html', '_macros.html', '_named.html'].includes(f));
      assert.ok(pages.length > 0);
      for (const file of pages) {
        assert.match(readFileSync(join(htmlDir(template), file), 'utf8'), /\{% extends "page\.html" %\}/, file);
      }
    });
  }

  it('the classic and minimal templates ship the same stylesheet, script, icon and macros', () => {
    for (const file of ['style.css', 'tracker.js', 'favicon.svg', '_macros.html']) {
      assert.equal(readFileSync(join(htmlDir('minimal'), file), 'utf8'), readFileSync(join(htmlDir('classic'), file), 'utf8'), file);
    }
  });

  it('the stylesheet has a dark scheme, a phone layout and a visible focus ring', () => {
    const css = readFileSync(join(htmlDir('classic'), 'style.css'), 'utf8');
    assert.match(css, /@media \(prefers-color-scheme: dark\)/);
    assert.match(css, /@media \(max-width: 40rem\)/);
    assert.match(css, /:focus-visible \{\n  outline: 3px solid var\(--focus\);/);
  });
});
