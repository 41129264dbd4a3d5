import assert from 'node:assert/strict';
import { type TestTracker } from '../support/trackers.js';
import { issueTitles } from '../server/tracker-client.js';
import { Browser } from './support/browser.js';
import { type DeploymentSite, commonValues, deploymentSite, fileIssueWithBasicAuth } from './support/deployment.js';
import { renderExample } from './support/example-configs.js';
import { type ServerProcess, startApache, startLighttpd } from './support/web-servers.js';

/**
 * frontends/roundup.cgi under real web servers from Debian, each running
 * its example configuration from frontends/ as shipped: Apache httpd with
 * mod_cgid (apache-cgi.conf) and lighttpd with mod_cgi
 * (lighttpd-cgi.conf). Every request starts the script afresh.
 */

interface CgiServer {
  name: string;
  program: 'apache2' | 'lighttpd';
  start(dir: string, values: Record<string, string>, port: number): Promise<ServerProcess>;
}

const SERVERS: CgiServer[] = [
  {
    name: 'Apache httpd (mod_cgid, apache-cgi.conf)',
    program: 'apache2',
    start: (dir, values, port) => startApache(dir, renderExample('apache-cgi.conf', values), [port], ['alias', 'env', 'cgid']),
  },
  {
    name: 'lighttpd (mod_cgi, lighttpd-cgi.conf)',
    program: 'lighttpd',
    start: (dir, values, port) => startLighttpd(dir, renderExample('lighttpd-cgi.conf', values), port),
  },
];

for (const server of SERVERS) {
  describe(`roundup.cgi under ${server.name}`, function () {
    this.timeout(120000);
    let site: DeploymentSite;
    let dir: string;
    let tracker: TestTracker;
    let web: ServerProcess;
    let origin: string;
    let trackerUrl: string;

    before(async function () {
      site = await deploymentSite(this, [server.program], { prefix: 'rup-cgi-' });
      ({ dir, tracker, origin, trackerUrl } = site);
      web = await server.start(dir, { ...commonValues(tracker.home), LISTEN: `127.0.0.1:${site.port}` }, site.port);
    });

    after(async function () {
      await web?.stop();
      await site?.remove();
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed' && web) console.log(web.log());
    });

    it('serves a tracker page with the headers the tracker set', async () => {
      const page = await new Browser().request(`${trackerUrl}issue`);
      assert.equal(page.status, 200, page.body);
      assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.match(page.body, /<title>Issues – /);
      assert.ok(page.body.includes(`href="${trackerUrl}@@file/style.css"`));
    });

    it('serves the static files', async () => {
      const css = await new Browser().request(`${trackerUrl}@@file/style.css`);
      assert.equal(css.status, 200);
      assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    });

    it('redirects the tracker name without its slash (301) to the same URL with it', async () => {
      const moved = await new Browser().request(`${origin}/roundup/support?x=1`);
      assert.equal(moved.status, 301);
      assert.equal(moved.headers.location, `${trackerUrl}?x=1`);
    });

    it('sends the script path itself to the index of its one tracker, and answers 404 for an unknown tracker', async () => {
      const index = await new Browser().request(`${origin}/roundup/`);
      assert.equal(index.status, 302);
      assert.equal(index.headers.location, '/roundup/support/index');
      const unknown = await new Browser().request(`${origin}/roundup/nosuch/issue`);
      assert.equal(unknown.status, 404);
      assert.match(unknown.body, /Not found: \/roundup\/nosuch\/issue/);
    });

    it('refuses a write without a valid session or credentials', async () => {
      const refused = await new Browser().submit(`${trackerUrl}issue`, { '@action': 'new', title: 'Anonymous attempt', '@csrf': 'bogus' }, `${trackerUrl}issue?@template=item`);
      assert.notEqual(refused.status, 302);
      assert.deepEqual(await issueTitles(tracker.home), []);
    });

    it('takes a new issue posted with HTTP Basic credentials into the tracker database', async () => {
      const created = await fileIssueWithBasicAuth(new Browser(), trackerUrl, 'Filed through CGI');
      assert.equal(created.status, 302, created.body);
      assert.match(String(created.headers.location), new RegExp(`^${trackerUrl.replace(/[.?]/g, '\\$&')}issue1\\?@ok_message=`));
      assert.deepEqual(await issueTitles(tracker.home), ['Filed through CGI']);
    });
  });
}
