import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths.js';
import type { TestTracker } from '../../support/trackers.js';
import { freePort, removeAll, scratchDir, serverHome } from '../../server/server-process.js';
import { type Answer, type Browser, basicAuth, csrfToken } from './browser.js';
import { missingProgram } from './web-servers.js';

/**
 * What every deployment test does the same way: the site it serves, the
 * values of the example configurations' placeholders, a self-signed
 * certificate, and a write made through the web server that must land in
 * the database.
 */

/** Where a deployment test serves its tracker, and the folder for the web server's files. */
export interface DeploymentSite {
  /** The web server's port on 127.0.0.1. */
  port: number;
  /** `http://127.0.0.1:<port>` (https with `tls`). */
  origin: string;
  /** The tracker's URL: `<origin>/roundup/support/`, its `[tracker] web`. */
  trackerUrl: string;
  dir: string;
  tracker: TestTracker;
  /** Deletes the folder and the tracker. */
  remove(): Promise<void>;
}

/**
 * Skips the suite, saying why, when a program the test runs is not
 * installed; otherwise makes its site: a free port, a scratch folder and a
 * tracker home whose `[tracker] web` is the site's URL.
 */
export async function deploymentSite(
  suite: Mocha.Context,
  programs: ReadonlyArray<Parameters<typeof missingProgram>[0]>,
  options: { prefix: string; tls?: boolean },
): Promise<DeploymentSite> {
  const missing = programs.map(missingProgram).find((why) => why !== null);
  if (missing) {
    console.log(`      skipped: ${missing}`);
    suite.skip();
  }
  const port = await freePort();
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const trackerUrl = `${origin}/roundup/support/`;
  const dir = scratchDir(options.prefix);
  const tracker = await serverHome({ settings: { tracker_web: trackerUrl } });
  return {
    port,
    origin,
    trackerUrl,
    dir,
    tracker,
    async remove() {
      removeAll(dir);
      await tracker.cleanup();
    },
  };
}

/** The placeholders every example shares; each test adds its addresses. */
export function commonValues(trackerHome: string): Record<string, string> {
  return { RUP_ROOT: repoRoot, TRACKER_HOME: trackerHome, SERVER_NAME: '127.0.0.1' };
}

/** A self-signed certificate for 127.0.0.1 made with openssl: file paths and the PEM text. */
export function selfSignedCertificate(dir: string): { certificate: string; key: string; pem: string } {
  const certificate = join(dir, 'tracker.crt');
  const key = join(dir, 'tracker.key');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', certificate],
    { stdio: 'ignore' },
  );
  return { certificate, key, pem: readFileSync(certificate, 'utf8') };
}

/**
 * Logs in as admin through the login form (the session cookie is kept by
 * `browser`), then files a new issue through the new-issue form, each
 * with the `@csrf` token of the page it came from. Returns the answer to
 * the new-issue POST.
 */
export async function fileIssueAfterLogin(browser: Browser, trackerUrl: string, title: string): Promise<Answer> {
  const front = await browser.request(`${trackerUrl}issue?@template=item`);
  assert.equal(front.status, 200, front.body);
  const login = await browser.submit(trackerUrl, { '@action': 'login', '@csrf': csrfToken(front.body), __login_name: 'admin', __login_password: 'admin' }, `${trackerUrl}issue?@template=item`);
  assert.equal(login.status, 302, login.body);
  const form = await browser.request(`${trackerUrl}issue?@template=item`);
  assert.match(form.body, /admin/);
  return browser.submit(`${trackerUrl}issue`, { '@action': 'new', '@csrf': csrfToken(form.body), title, priority: 'bug' }, `${trackerUrl}issue?@template=item`);
}

/** Files a new issue as admin with HTTP Basic credentials on both requests (no session). */
export async function fileIssueWithBasicAuth(browser: Browser, trackerUrl: string, title: string): Promise<Answer> {
  const authorization = basicAuth('admin', 'admin');
  const form = await browser.request(`${trackerUrl}issue?@template=item`, { headers: { Authorization: authorization } });
  assert.equal(form.status, 200, form.body);
  return browser.submit(`${trackerUrl}issue`, { '@action': 'new', '@csrf': csrfToken(form.body), title, priority: 'bug' }, `${trackerUrl}issue?@template=item`, {
    Authorization: authorization,
  });
}
