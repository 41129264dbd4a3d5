/**
 * Shared set-up of the mail source tests: roundup-mailgw run as a
 * separate process (as cron or an MTA runs it, and so that it can be
 * killed), trackers holding the classic export with their mail going to
 * a debug file, and batches of distinct messages from a known user.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths.js';
import { type GatewayTracker, importedTracker } from '../gateway/gateway-fixtures.js';
import { setTrackerOption } from './tracker-options.js';

export const LAUNCHER = join(repoRoot, 'bin', 'roundup-mailgw.js');

export interface MailgwRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** An empty HOME for the child, so that no ~/.netrc of the machine is read. */
const emptyHome = mkdtempSync(join(tmpdir(), 'rup-mailgw-home-'));
process.once('exit', () => rmSync(emptyHome, { recursive: true, force: true }));

/** Runs `node bin/roundup-mailgw.js ...args` to its end. */
export function runMailgw(args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: Buffer | string } = {}): Promise<MailgwRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: emptyHome, ...options.env };
  for (const name of ['ROUNDUP_INSTANCE', 'SENDMAILDEBUG', 'RUP_MAILGW_TEST_KILL']) if (!options.env || !(name in options.env)) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** The imported classic tracker, its mail (bounces) going to the debug file in config.ini for the gateway process to read. */
export async function sourceTracker(settings: Record<string, string> = {}): Promise<GatewayTracker> {
  const t = await importedTracker('sqlite', settings);
  setTrackerOption(t.home, 'mail', 'debug', t.debugFile);
  return t;
}

/**
 * `count` messages from alice (a user of the classic export) each
 * opening an issue titled "batch message <i>" (from 1), with a
 * Message-Id unless `i` is in `withoutMessageId`.
 */
export function batchMessages(count: number, withoutMessageId: readonly number[] = []): Buffer[] {
  return Array.from({ length: count }, (_, n) => {
    const i = n + 1;
    const id = withoutMessageId.includes(i) ? '' : `Message-Id: <batch-${i}@client.example>\r\n`;
    return Buffer.from(`From: Alice <alice@example.com>\r\nTo: issue_tracker@example.com\r\n${id}Subject: [issue] batch message ${i}\r\nDate: Mon, 2 Mar 2026 10:0${i % 10}:00 +0000\r\n\r\nThis is message ${i} of the batch.\r\n`);
  });
}

/** The titles of the issues created after the 12 of the classic export, in id order. */
export function newIssueTitles(t: GatewayTracker): Promise<string[]> {
  return t.read(async (db) => {
    const issue = db.getclass('issue');
    const ids = (await issue.getnodeids()).map(Number).filter((id) => id > 12).sort((a, b) => a - b);
    const titles: string[] = [];
    for (const id of ids) titles.push((await issue.get(String(id), 'title')) as string);
    return titles;
  });
}

/** The titles "batch message 1" ... "batch message <count>". */
export function batchTitles(count: number): string[] {
  return Array.from({ length: count }, (_, n) => `batch message ${n + 1}`);
}
