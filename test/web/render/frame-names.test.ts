import assert from 'node:assert/strict';
import nunjucks from 'nunjucks';
import '../../../lib/web/render/frame-names.js';

describe('web/render/frame-names: Nunjucks variables set as before', () => {
  const env = new nunjucks.Environment(null, { autoescape: true });
  const render = (template: string, context: object = {}) => env.renderString(template, context);

  it('keeps loop variables per loop, nested loops included', () => {
    assert.equal(
      render('{% for a in [1, 2] %}[{{ loop.index }}{{ loop.first }}{% for b in "xy" %}{{ b }}{{ loop.index0 }}{{ loop.last }}{% endfor %}{{ loop.revindex }}]{% endfor %}'),
      '[1truex0falsey1true2][2falsex0falsey1true1]',
    );
  });

  // The expected texts are what stock Nunjucks 3.2 renders.
  it('sets top-level and block variables, and writes through to an outer scope where Nunjucks does', () => {
    assert.equal(render('{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}'), '2');
    assert.equal(render('{% set x = 1 %}{% for i in [1] %}{% set x = 5 %}{% endfor %}{{ x }}'), '5');
    assert.equal(render('{% for i in [1,2] %}{% set s = i %}{% endfor %}{{ s }}|{% set q %}block{% endset %}{{ q }}'), '|block');
    assert.equal(render('{% macro m(v) %}{% set y = v %}{{ y }}{% endmacro %}{{ m(3) }}{{ y }}'), '3');
    assert.equal(render('{% set a, b = 7 %}{{ a }}{{ b }}'), '77');
  });
});
