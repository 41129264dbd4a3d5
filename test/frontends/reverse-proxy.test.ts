import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestTracker } from '../support/trackers.js';
import { type ServerRun, serverUserArgs, startServer } from '../server/server-process.js';
import { issueTitles } from '../server/tracker-client.js';
import { Browser, csrfToken } from './support/browser.js';
import { type DeploymentSite, commonValues, deploymentSite, fileIssueAfterLogin, selfSignedCertificate } from './support/deployment.js';
import { renderExample } from './support/example-configs.js';
import { type ServerProcess, startApache, startNginx } from './support/web-servers.js';

/**
 * bin/roundup-server.js behind real nginx and Apache httpd (mod_proxy)
 * under the prefix /roundup/, over plain HTTP and over TLS ending at the
 * proxy, each with its example configuration from frontends/ as shipped.
 * roundup-server trusts the proxy's address (127.0.0.1) alone: the same
 * forwarding headers from another client (127.0.0.2) are ignored.
 */

interface Proxy {
  program: 'nginx' | 'apache2';
  example: string;
  tls: boolean;
  /** nginx serves @@file/ itself in its examples. */
  servesStaticFiles: boolean;
  start(dir: string, site: string, port: number): Promise<ServerProcess>;
}

const PROXIES: Proxy[] = [
  { program: 'nginx', example: 'nginx-proxy.conf', tls: false, servesStaticFiles: true, start: (dir, site, port) => startNginx(dir, site, [port]) },
  { program: 'nginx', example: 'nginx-proxy-tls.conf', tls: true, servesStaticFiles: true, start: (dir, site, port) => startNginx(dir, site, [port]) },
  { program: 'apache2', example: 'apache-proxy.conf', tls: false, servesStaticFiles: false, start: (dir, site, port) => startApache(dir, site, [port], ['proxy', 'proxy_http', 'headers']) },
  {
    program: 'apache2',
    example: 'apache-proxy-tls.conf',
    tls: true,
    servesStaticFiles: false,
    start: (dir, site, port) => startApache(dir, site, [port], ['proxy', 'proxy_http', 'headers', 'socache_shmcb', 'ssl']),
  },
];

for (const proxy of PROXIES) {
  describe(`roundup-server behind ${proxy.program} as a reverse proxy (${proxy.example})`, function () {
    this.timeout(120000);
    let site: DeploymentSite;
    let dir: string;
    let tracker: TestTracker;
    let backend: ServerRun & { port: number };
    let web: ServerProcess;
    let origin: string;
    let trackerUrl: string;
    let ca: string | undefined;

    before(async function () {
      site = await deploymentSite(this, proxy.tls ? [proxy.program, 'openssl'] : [proxy.program], { prefix: 'rup-proxy-', tls: proxy.tls });
      ({ dir, tracker, origin, trackerUrl } = site);
      const port = site.port;
      backend = await startServer(['-t', 'none', '-n', '127.0.0.1', '-p', '0', ...serverUserArgs(), '--base_path=/roundup/', '--trusted_proxies=127.0.0.1', `support=${tracker.home}`]);
      const values: Record<string, string> = { ...commonValues(tracker.home), LISTEN: `127.0.0.1:${port}`, BACKEND: `127.0.0.1:${backend.port}` };
      if (proxy.tls) {
        const certificate = selfSignedCertificate(dir);
        ca = certificate.pem;
        Object.assign(values, { CERTIFICATE: certificate.certificate, CERTIFICATE_KEY: certificate.key });
      }
      web = await proxy.start(dir, renderExample(proxy.example, values), port);
    });

    after(async function () {
      await web?.stop();
      backend?.kill('SIGTERM');
      await backend?.exited;
      await site?.remove();
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed') console.log(`${web?.log()}\n${backend?.stderr}`);
    });

    it('serves tracker pages linking to the public URL', async () => {
      const page = await new Browser(ca).request(`${trackerUrl}issue`);
      assert.equal(page.status, 200, page.body);
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.ok(page.body.includes(`href="${trackerUrl}@@file/style.css"`));
    });

    it('redirects the tracker name without its slash (301) to the scheme, host and prefix the browser used', async () => {
      const moved = await new Browser(ca).request(`${origin}/roundup/support?x=1`);
      assert.equal(moved.status, 301);
      assert.equal(moved.headers.location, `${trackerUrl}?x=1`);
    });

    it('honours X-Forwarded-Proto and -Host from the trusted proxy address only', async () => {
      const backendUrl = `http://127.0.0.1:${backend.port}/roundup/support`;
      const forged = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'forged.example' };
      const untrusted = await new Browser().request(backendUrl, { headers: forged, localAddress: '127.0.0.2' });
      assert.equal(untrusted.status, 301);
      assert.equal(untrusted.headers.location, `http://127.0.0.1:${backend.port}/roundup/support/`);
      const trusted = await new Browser().request(backendUrl, { headers: forged, localAddress: '127.0.0.1' });
      assert.equal(trusted.headers.location, 'https://forged.example/roundup/support/');
    });

    if (proxy.servesStaticFiles) {
      it('serves @@file/ straight from the tracker html/ directory, without the backend', async () => {
        const css = await new Browser(ca).request(`${trackerUrl}@@file/style.css`);
        assert.equal(css.status, 200);
        assert.equal(css.body, readFileSync(join(tracker.home, 'html', 'style.css'), 'utf8'));
        assert.equal(css.headers['cache-control'], 'max-age=3600');
        assert.equal(css.headers['content-security-policy'], undefined);
      });
    } else {
      it('passes @@file/ through to the backend', async () => {
        const css = await new Browser(ca).request(`${trackerUrl}@@file/style.css`);
        assert.equal(css.status, 200);
        assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
      });
    }

    it('takes a new issue filed after logging in through the form into the tracker database', async () => {
      const browser = new Browser(ca);
      const created = await fileIssueAfterLogin(browser, trackerUrl, `Filed through ${proxy.example}`);
      assert.equal(created.status, 302, created.body);
      assert.ok(String(created.headers.location).startsWith(`${trackerUrl}issue1?@ok_message=`), String(created.headers.location));
      assert.deepEqual(await issueTitles(tracker.home), [`Filed through ${proxy.example}`]);
    });

    if (proxy.tls) {
      it('gives the session cookie the __Secure- prefix and the Secure attribute behind TLS', async () => {
        const browser = new Browser(ca);
        const front = await browser.request(`${trackerUrl}issue?@template=item`);
        const login = await browser.submit(trackerUrl, { '@action': 'login', '@csrf': csrfToken(front.body), __login_name: 'admin', __login_password: 'admin' }, `${trackerUrl}issue?@template=item`);
        const cookie = (login.headers['set-cookie'] ?? []).find((c) => c.includes('roundup_session_')) ?? '';
        assert.match(cookie, /^__Secure-roundup_session_/);
        assert.match(cookie, /; ?secure/i);
      });
    }
  });
}
