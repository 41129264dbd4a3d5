import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths.js';
import { exampleFiles, frontendsDir, placeholdersOf, renderExample } from './support/example-configs.js';

/**
 * The example configurations in frontends/ stay what the tests run: each
 * is run by a test, each placeholder is documented, and the CGI script
 * is executable.
 */

const testSources = readdirSync(join(repoRoot, 'test', 'frontends'))
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => readFileSync(join(repoRoot, 'test', 'frontends', name), 'utf8'))
  .join('\n');
const readme = readFileSync(join(frontendsDir, 'README.md'), 'utf8');

describe('frontends/ example configurations', () => {
  it('ship the CGI, FastCGI and reverse proxy examples for Apache, nginx and lighttpd', () => {
    assert.deepEqual(exampleFiles(), [
      'apache-cgi.conf',
      'apache-proxy-tls.conf',
      'apache-proxy.conf',
      'lighttpd-cgi.conf',
      'lighttpd-fastcgi.conf',
      'nginx-fastcgi.conf',
      'nginx-proxy-tls.conf',
      'nginx-proxy.conf',
    ]);
  });

  for (const file of exampleFiles()) {
    it(`${file} is run by a web-server test and its placeholders are documented`, () => {
      assert.ok(testSources.includes(`'${file}'`), `no test in test/frontends runs ${file}`);
      for (const name of placeholdersOf(readFileSync(join(frontendsDir, file), 'utf8'))) {
        assert.ok(readme.includes(`| \`@${name}@\` |`), `frontends/README.md does not document @${name}@ (used in ${file})`);
      }
    });
  }

  it('refuses to fill in an example when a placeholder has no value', () => {
    assert.throws(() => renderExample('nginx-proxy.conf', { LISTEN: '80' }), /frontends\/nginx-proxy\.conf: no value for @TRACKER_HOME@, @BACKEND@, @SERVER_NAME@/);
  });

  it('ships roundup.cgi executable', () => {
    assert.equal(statSync(join(frontendsDir, 'roundup.cgi')).mode & 0o111, 0o111);
  });
});
