import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sessionServices } from '../../../lib/web/session/session-services.js';
import {
  type BrowserTracker,
  SEED_TITLES,
  browserUnavailable,
  contextOptions,
  contrast,
  focusedId,
  inDb,
  inPage,
  launchChromium,
  luminance,
  screenshot,
  selectedText,
  startBrowserTracker,
  storedSession,
  tabTo,
  watchConsole,
} from './browser-support.js';

/**
 * A person's path through the classic tracker in headless Chromium, on
 * the real request handler: log in, create an issue with an attachment,
 * comment, change the status, search, export CSV, log out; the keyboard
 * alone drives the path from login to the status change. Then the same
 * pages on a 375 px phone, in dark mode, and without JavaScript, with
 * labels and focus checked. Each step also checks what the tracker
 * stored (items, sessions). Screenshots go to test-output/screenshots/.
 */

const DEMO_USER = '3';

/** The text of the page's notices with the given role (status = ok, alert = error). */
function noticeTexts(page: Page, role: 'status' | 'alert'): Promise<string[]> {
  return page.$$eval(`.notice[role="${role}"] .notice-body p:not(.visually-hidden)`, (ps) => ps.map((p) => (p.textContent ?? '').trim()));
}

/** Form controls people fill in that have no accessible label, on the current page. */
function unlabelled(page: Page): Promise<string[]> {
  return inPage(
    page,
    `[...document.querySelectorAll('input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea')]
      .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.tagName.toLowerCase() + '[name="' + el.getAttribute('name') + '"]')`,
  );
}

/** The text of an element, white space collapsed. */
async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
}

describe('browser: a person\'s path through the classic tracker', function () {
  this.timeout(120000);
  let tracker: BrowserTracker | null = null;
  let browser: Browser | null = null;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let issueId = '';

  before(async function () {
    const missing = browserUnavailable();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    tracker = await startBrowserTracker();
    browser = await launchChromium();
    context = await browser.newContext(contextOptions());
    page = await context.newPage();
    watchConsole(page, problems);
  });

  after(async () => {
    await browser?.close();
    await tracker?.close();
  });

  it('logs in from the home page with the keyboard only', async () => {
    await page.goto(tracker!.base);
    await screenshot(page, 'home-anonymous');
    assert.equal(await page.title(), 'Roundup issue tracker');
    assert.equal(await storedSession(tracker!, context), null);
    await tabTo(page, '#login-name');
    await page.keyboard.type('demo');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'login-password');
    await page.keyboard.type('demo');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.deepEqual(await noticeTexts(page, 'status'), ['Welcome demo!']);
    assert.equal(await page.textContent('h1'), 'Hello, Demo User');
    assert.equal(await page.textContent('#user-menu summary'), 'Account: demo');
    assert.equal((await storedSession(tracker!, context))?.user, 'demo');
    await screenshot(page, 'home-logged-in');
  });

  it('creates an issue with an attachment from the keyboard (the file chosen in the file dialog)', async () => {
    await tabTo(page, '.main-nav a[href$="issue?@template=item"]');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(await page.textContent('h1'), 'New issue');
    await tabTo(page, '#title');
    await page.keyboard.type('Printer catches fire on page 2');
    await tabTo(page, '#priority');
    await page.keyboard.type('urgent');
    assert.equal(await selectedText(page, '#priority'), 'urgent');
    await tabTo(page, '#note');
    await page.keyboard.type('Smoke comes out after the second page.');
    await page.setInputFiles('#file', { name: 'smoke-log.txt', mimeType: 'text/plain', buffer: Buffer.from('12:00 smoke\n12:01 fire\n') });
    await screenshot(page, 'issue-new');
    await tabTo(page, '#issue-form [type="submit"]');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

    issueId = /\/demo\/issue(\d+)\?/.exec(page.url())![1]!;
    assert.match((await noticeTexts(page, 'status')).join(' '), new RegExp(`issue ${issueId} created`));
    assert.equal(await page.textContent('h1'), `Printer catches fire on page 2 #${issueId}`);
    assert.equal(await page.textContent('section[aria-labelledby="files-heading"] a[href$="/smoke-log.txt"]'), 'smoke-log.txt');

    const db = await tracker!.tt.tracker.open({ userid: '1' }, { checked: false });
    const issue = await db.getclass('issue').getnode(issueId);
    assert.equal(issue.title, 'Printer catches fire on page 2');
    assert.equal(issue.priority, '2');
    assert.equal(issue.creator, DEMO_USER);
    const files = issue.files as string[];
    assert.equal(files.length, 1);
    assert.equal(await db.getclass('file').get(files[0]!, 'content'), '12:00 smoke\n12:01 fire\n');
    const messages = issue.messages as string[];
    assert.equal(await db.getclass('msg').get(messages[0]!, 'content'), 'Smoke comes out after the second page.');
    await db.close();

    const download = await page.request.get(`${tracker!.base}file${files[0]}/smoke-log.txt`);
    assert.equal(download.status(), 200);
    assert.equal(await download.text(), '12:00 smoke\n12:01 fire\n');
  });

  it('comments and changes the status with the keyboard, and the page confirms it', async () => {
    await tabTo(page, '#status');
    await page.keyboard.type('in-progress');
    assert.equal(await selectedText(page, '#status'), 'in-progress');
    await tabTo(page, '#note');
    await page.keyboard.type('Replaced the fuser; the flux capacitor still glows.');
    await tabTo(page, '#issue-form [type="submit"]');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

    assert.match((await noticeTexts(page, 'status')).join(' '), new RegExp(`issue ${issueId} status, messages edited ok`));
    assert.equal(await selectedText(page, '#status'), 'in-progress');
    const bodies = await page.$$eval('.message-body', (els) => els.map((e) => e.textContent));
    assert.deepEqual(bodies, ['Replaced the fuser; the flux capacitor still glows.', 'Smoke comes out after the second page.']);

    await inDb(tracker!, async (db) => {
      assert.equal(await db.getclass('issue').get(issueId, 'status'), await db.getclass('status').lookup('in-progress'));
      const messages = (await db.getclass('issue').get(issueId, 'messages')) as string[];
      assert.equal(messages.length, 2);
      assert.equal(await db.getclass('msg').get(messages[1]!, 'content'), 'Replaced the fuser; the flux capacitor still glows.');
      assert.equal(await db.getclass('msg').get(messages[1]!, 'author'), DEMO_USER);
    });
    await page.click('details.panel summary');
    await screenshot(page, 'issue-item');
  });

  it('announces an error as an alert that takes the focus, and stores nothing', async () => {
    const before = await inDb(tracker!, async (db) => [(await db.getclass('issue').list()).length, (await db.getclass('msg').list()).length]);
    await page.goto(`${tracker!.base}issue?@template=item`);
    await page.fill('#note', 'No title given');
    await page.$eval('#title', (el) => el.removeAttribute('required'));
    await Promise.all([page.waitForNavigation(), page.click('#issue-form [type="submit"]')]);
    assert.deepEqual(await noticeTexts(page, 'alert'), ['Error: Required issue properties title, priority not supplied']);
    assert.equal(await focusedId(page), 'page-errors');
    assert.equal(await page.inputValue('#note'), 'No title given');
    await screenshot(page, 'issue-new-error');
    assert.deepEqual(await inDb(tracker!, async (db) => [(await db.getclass('issue').list()).length, (await db.getclass('msg').list()).length]), before);
  });

  it('finds the issue with the search page', async () => {
    await page.goto(tracker!.base);
    await Promise.all([page.waitForNavigation(), page.click('.main-nav a[href$="issue?@template=search"]')]);
    assert.equal(await page.textContent('h1'), 'Search issues');
    assert.deepEqual(await unlabelled(page), []);
    await screenshot(page, 'issue-search');
    await page.fill('#search-text', 'flux');
    await page.selectOption('#search-status', { label: 'not resolved' });
    await Promise.all([page.waitForNavigation(), page.press('#search-text', 'Enter')]);
    assert.match(page.url(), /\/demo\/issue\?/);
    const titles = await page.$$eval('table.issues td.col-title a', (as) => as.map((a) => a.textContent));
    assert.deepEqual(titles, ['Printer catches fire on page 2']);
    assert.equal(await text(page, '#result-count'), '1 issue containing “flux”');
    // The page shows what the database finds: the one issue whose messages say "flux".
    const found = await inDb(tracker!, async (db) => [...(await db.getclass('issue').searchText('flux'))]);
    assert.deepEqual(found, [issueId]);
  });

  it('exports the index as CSV', async () => {
    await page.goto(
      `${tracker!.base}issue?@columns=id,title,status,priority&@sort=id&@filter=status&status=-1,1,2,3,4,5,6,7&@dispname=Open%20issues`,
    );
    await screenshot(page, 'issue-index');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download="issues.csv"]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    // The rows are the stored issues with their status and priority names.
    const stored = await inDb(tracker!, async (db) => {
      const rows: string[] = [];
      for (const id of await db.getclass('issue').list()) {
        const issue = await db.getclass('issue').getnode(id);
        const status = await db.getclass('status').get(issue.status as string, 'name');
        const priority = await db.getclass('priority').get(issue.priority as string, 'name');
        rows.push(`"${id}","${String(issue.title)}","${String(status)}","${String(priority)}"`);
      }
      return rows;
    });
    assert.deepEqual(csv.trimEnd().split('\r\n').slice(1), stored);
    assert.deepEqual(csv.trimEnd().split('\r\n'), [
      '"id","title","status","priority"',
      `"1","${SEED_TITLES[0]}","unread","urgent"`,
      `"2","${SEED_TITLES[1]}","unread","bug"`,
      `"3","${SEED_TITLES[2]}","unread","feature"`,
      `"${issueId}","Printer catches fire on page 2","in-progress","urgent"`,
    ]);
  });

  it('logs out from the user menu', async () => {
    await tabTo(page, '#user-menu summary');
    await page.keyboard.press('Enter');
    assert.equal(await inPage(page, `document.querySelector('#user-menu').open`), true);
    await screenshot(page, 'user-menu');
    await tabTo(page, '#user-menu a[href$="?@action=logout"]');
    const session = (await context.cookies(tracker!.base)).find((c) => c.name.startsWith('roundup_session_'))!;
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(await page.textContent('h1'), 'Welcome');
    // The session is gone from the store, not only from the browser.
    const services = sessionServices(tracker!.tt.tracker);
    assert.equal(await services.backend.sessions.get(session.value, services.now()), null);
    assert.equal(await storedSession(tracker!, context), null);
    assert.equal(await page.$('#login-name') !== null, true);
    assert.equal(await page.$('#user-menu'), null);
  });

  describe('look and feel', () => {
    /** Logs a fresh context in as demo through the login form. */
    async function loggedIn(options: Parameters<typeof contextOptions>[0]): Promise<{ ctx: BrowserContext; p: Page }> {
      const ctx = await browser!.newContext(contextOptions(options));
      const p = await ctx.newPage();
      watchConsole(p, problems);
      await p.goto(tracker!.base);
      await p.fill('#login-name', 'demo');
      await p.fill('#login-password', 'demo');
      await Promise.all([p.waitForNavigation(), p.click('.login-card [type="submit"]')]);
      return { ctx, p };
    }

    it('fits a 375 px phone: no sideways scrolling, and the issue table becomes cards', async () => {
      const { ctx, p } = await loggedIn({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
      const pages: Array<[string, string]> = [
        ['', 'phone-home'],
        [`issue?@columns=id,activity,title,creator,assignedto,status&@sort=-activity&@group=priority&@filter=status&status=-1,1,2,3,4,5,6,7`, 'phone-issue-index'],
        [`issue${issueId}`, 'phone-issue-item'],
        ['issue?@template=item', 'phone-issue-new'],
        ['issue?@template=search', 'phone-issue-search'],
      ];
      for (const [path, name] of pages) {
        await p.goto(tracker!.base + path);
        const width = await inPage<number>(p, 'document.scrollingElement.scrollWidth');
        assert.ok(width <= 375, `${name} scrolls sideways: ${width} px wide`);
        await screenshot(p, name);
      }
      await p.goto(tracker!.base + pages[1]![0]);
      const layout = await inPage(
        p,
        `({
          rowDisplay: getComputedStyle(document.querySelector('table.issues tbody tr:not(.group-row)')).display,
          headHeight: document.querySelector('table.issues thead').getBoundingClientRect().height,
          label: getComputedStyle(document.querySelector('table.issues td[data-label="Status"]'), '::before').content,
        })`,
      );
      assert.deepEqual(layout, { rowDisplay: 'block', headHeight: 1, label: '"Status"' });
      await ctx.close();
    });

    it('follows the dark colour scheme with readable contrast', async () => {
      const { ctx, p } = await loggedIn({});
      await p.goto(`${tracker!.base}issue${issueId}`);
      const light = await inPage<string>(p, `getComputedStyle(document.body).backgroundColor`);
      assert.ok(luminance(light) > 0.8, `light background, got ${light}`);
      await p.emulateMedia({ colorScheme: 'dark' });
      const colors = await inPage<Record<'body' | 'text' | 'card' | 'link' | 'muted', string>>(
        p,
        `(() => {
          const style = (sel) => getComputedStyle(document.querySelector(sel));
          return {
            body: style('body').backgroundColor,
            text: style('body').color,
            card: style('.message').backgroundColor,
            link: style('.message-header a').color,
            muted: style('.meta').color,
          };
        })()`,
      );
      assert.ok(luminance(colors.body) < 0.02, `dark background, got ${colors.body}`);
      assert.ok(contrast(colors.text, colors.body) >= 7, `text ${colors.text} on ${colors.body}`);
      assert.ok(contrast(colors.link, colors.card) >= 4.5, `link ${colors.link} on ${colors.card}`);
      assert.ok(contrast(colors.muted, colors.body) >= 4.5, `muted ${colors.muted} on ${colors.body}`);
      await screenshot(p, 'dark-issue-item');
      await p.goto(`${tracker!.base}issue?@columns=id,activity,title,status&@sort=-activity`);
      await screenshot(p, 'dark-issue-index');
      await ctx.close();
    });

    it('labels every form control and shows a focus ring, on the main pages', async () => {
      const { ctx, p } = await loggedIn({});
      for (const path of ['', 'issue?@template=item', `issue${issueId}`, 'issue?@template=search', 'user3', 'query?@template=edit']) {
        await p.goto(tracker!.base + path);
        assert.deepEqual(await unlabelled(p), [], path);
      }
      await p.goto(`${tracker!.base}issue${issueId}`);
      for (const selector of ['.brand', '#title', '#status', '#issue-form [type="submit"]']) {
        await tabTo(p, selector);
        const ring = await inPage(p, `({ style: getComputedStyle(document.activeElement).outlineStyle, width: getComputedStyle(document.activeElement).outlineWidth })`);
        assert.deepEqual(ring, { style: 'solid', width: '3px' }, selector);
      }
      await ctx.close();
    });

    it('works without JavaScript: log in, new issue with a file, comment and status, search, CSV, log out', async () => {
      const ctx = await browser!.newContext(contextOptions({ javaScriptEnabled: false }));
      const p = await ctx.newPage();
      await p.goto(tracker!.base);
      await p.fill('#login-name', 'demo');
      await p.fill('#login-password', 'demo');
      await Promise.all([p.waitForNavigation(), p.click('.login-card [type="submit"]')]);
      assert.deepEqual(await noticeTexts(p, 'status'), ['Welcome demo!']);
      assert.equal((await storedSession(tracker!, ctx))?.user, 'demo');

      await p.goto(`${tracker!.base}issue?@template=item`);
      await p.fill('#title', 'Scanner jams without script');
      await p.selectOption('#priority', { label: 'bug' });
      await p.fill('#note', 'The scanner jams on the first sheet.');
      await p.setInputFiles('#file', { name: 'jam.txt', mimeType: 'text/plain', buffer: Buffer.from('sheet 1: jammed\n') });
      await Promise.all([p.waitForNavigation(), p.click('#issue-form [type="submit"]')]);
      const id = /\/demo\/issue(\d+)\?/.exec(p.url())![1]!;
      assert.match((await noticeTexts(p, 'status')).join(' '), new RegExp(`issue ${id} created`));
      await inDb(tracker!, async (db) => {
        const issue = await db.getclass('issue').getnode(id);
        assert.equal(issue.title, 'Scanner jams without script');
        assert.equal(issue.priority, await db.getclass('priority').lookup('bug'));
        assert.equal(issue.creator, DEMO_USER);
        assert.equal(await db.getclass('file').get((issue.files as string[])[0]!, 'content'), 'sheet 1: jammed\n');
        assert.equal(await db.getclass('msg').get((issue.messages as string[])[0]!, 'content'), 'The scanner jams on the first sheet.');
      });

      await p.selectOption('#status', { label: 'in-progress' });
      await p.fill('#note', 'Cleaned the rollers.');
      await Promise.all([p.waitForNavigation(), p.click('#issue-form [type="submit"]')]);
      assert.match((await noticeTexts(p, 'status')).join(' '), new RegExp(`issue ${id} status, messages edited ok`));
      await inDb(tracker!, async (db) => {
        assert.equal(await db.getclass('issue').get(id, 'status'), await db.getclass('status').lookup('in-progress'));
        const messages = (await db.getclass('issue').get(id, 'messages')) as string[];
        assert.deepEqual(await Promise.all(messages.map((m) => db.getclass('msg').get(m, 'content'))), ['The scanner jams on the first sheet.', 'Cleaned the rollers.']);
      });

      await p.goto(`${tracker!.base}issue?@template=search`);
      await p.fill('#search-text', 'rollers');
      await Promise.all([p.waitForNavigation(), p.click('form.search-form [type="submit"]')]);
      assert.deepEqual(await p.$$eval('table.issues td.col-title a', (as) => as.map((a) => a.textContent)), ['Scanner jams without script']);
      assert.deepEqual(await inDb(tracker!, async (db) => [...(await db.getclass('issue').searchText('rollers'))]), [id]);

      await p.goto(`${tracker!.base}issue?@columns=id,title,status&@sort=id&@filter=id&id=${id}`);
      const [download] = await Promise.all([p.waitForEvent('download'), p.click('a[download="issues.csv"]')]);
      assert.deepEqual(readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n'), [
        '"id","title","status"',
        `"${id}","Scanner jams without script","in-progress"`,
      ]);

      const session = (await ctx.cookies(tracker!.base)).find((c) => c.name.startsWith('roundup_session_'))!;
      await p.goto(`${tracker!.base}?@action=logout`);
      assert.equal(await p.textContent('h1'), 'Welcome');
      const services = sessionServices(tracker!.tt.tracker);
      assert.equal(await services.backend.sessions.get(session.value, services.now()), null);
      await ctx.close();
    });

    it('no page logged a script error or a Content-Security-Policy violation', () => {
      assert.deepEqual(problems, []);
    });
  });
});
